import { z } from 'zod';
import { Channel, PromoteRequest, RollbackRequest } from '../../contract';
import type { Operation } from '../operation';
import { ChannelParam } from './params';

export const channelOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/channels',
    tag: 'models',
    summary: 'List channels and the model version each points at',
    auth: ['user'],
    replies: { 200: { description: 'every channel', json: z.array(Channel) } },
  },
  {
    method: 'post',
    path: '/api/channels/promote',
    tag: 'models',
    summary: 'Point a channel at a model version (creates the channel)',
    description: 'Clients on the channel learn of it on the live event stream.',
    auth: ['user'],
    body: { json: PromoteRequest },
    replies: { 200: { description: 'the channel after the move', json: Channel } },
    errors: {
      404: 'no such model version',
      409: 'the version was trained for another task than the channel serves',
    },
  },
  {
    method: 'post',
    path: '/api/channels/rollback',
    tag: 'models',
    summary: 'Point a channel back at the version before its latest move',
    auth: ['user'],
    body: { json: RollbackRequest },
    replies: { 200: { description: 'the channel after the move', json: Channel } },
    errors: { 404: 'no such channel', 409: 'nothing to roll back to' },
  },
  {
    method: 'get',
    path: '/api/channels/:line/:stage',
    tag: 'models',
    summary: 'One channel, by its name "<line>/<stage>"',
    auth: ['user'],
    params: ChannelParam,
    replies: { 200: { description: 'the channel and its recent moves', json: Channel } },
    errors: { 404: 'no such channel' },
  },
];
