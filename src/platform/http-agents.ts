import http from 'node:http';
import https from 'node:https';

/**
 * The process's one pool of keep-alive connections for outbound calls (tenant webhooks, their token
 * endpoints, suppliers): a connection set up once is reused by every caller to the same host, and the
 * socket limit per host is one number. 64 per host matches a tenant's share of the delivery slots.
 */
export const keepAlive = {
  httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
} as const;
