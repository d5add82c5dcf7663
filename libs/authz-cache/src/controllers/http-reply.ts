/**
 * The part of a reply the module's controllers use, common to Express's
 * `Response` and Fastify's `FastifyReply`: the module runs on either HTTP
 * adapter, and its declarations need neither `express` nor `fastify` types.
 */
export interface HttpReply {
  status(code: number): HttpReply;
  header(name: string, value: string): HttpReply;
  send(body: unknown): unknown;
}
