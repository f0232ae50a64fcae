import type { RequestHandler } from 'express';

/** Echoes X-Request-ID / X-Conversation-ID on every response (presence is enforced by the OpenAPI validator). */
export const echoCorrelationHeaders: RequestHandler = (req, res, next) => {
  const requestId = req.get('X-Request-ID');
  const conversationId = req.get('X-Conversation-ID');
  if (requestId) res.setHeader('X-Request-ID', requestId);
  if (conversationId) res.setHeader('X-Conversation-ID', conversationId);
  next();
};
