// The one contract: imported by the server's validators and by the web for its types.
// Nothing here may import Node modules, so the browser bundle can use it as it is.
export * from './channel';
export * from './common';
export * from './dataset';
export * from './health';
export * from './job';
export * from './label-sync';
export * from './model';
export * from './pairing';
export * from './run';
export * from './prediction';
export * from './pretrained';
export * from './runner';
export * from './split';
export * from './training-time';
