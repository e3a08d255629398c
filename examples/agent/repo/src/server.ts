import { parseOrder } from './orders.js';

// TODO: bound the request body size
export function handle(body: string): string {
  const order = parseOrder(body);
  return `accepted ${order.id}`;
}

// TODO: graceful shutdown on SIGTERM
export function close(): void {}
