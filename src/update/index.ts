/** The update endpoint: dyndns2 over HTTP and HTTPS in deSEC's dialect. */
export { UpdateServer, DEFAULT_LIMITS, type ServerLimits, type UpdateServerOptions } from './server.js';
export { CHECKIP_PATH, HEALTH_PATH } from './handler.js';
