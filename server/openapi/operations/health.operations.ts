import type { Operation } from '../operation';
import { Health } from '../../contract';

export const healthOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/health',
    tag: 'server',
    summary: 'Is the server up; its version, and whether server-side prediction can run',
    auth: [],
    replies: { 200: { description: 'the server answers', json: Health } },
  },
];
