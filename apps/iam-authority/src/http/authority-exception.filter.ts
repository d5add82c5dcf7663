import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AuthorityErrorBody, AuthorityErrorCode } from '@iam/contracts';
import { AuthorityError, HTTP_STATUS } from '../domain/errors';
import { setRevisionHeader } from './revision-header';

const CODE_OF_STATUS: Record<number, AuthorityErrorCode> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'REVISION_NOT_REACHED',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  415: 'INVALID_REQUEST',
};

/**
 * Every HTTP error leaves as an {@link AuthorityErrorBody}: domain errors
 * with their code, Nest's own (unknown route, bad JSON) mapped by status,
 * anything else as 500 INTERNAL without detail (logged here).
 */
@Catch()
export class AuthorityExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    let status: number;
    let body: AuthorityErrorBody;
    if (exception instanceof AuthorityError) {
      status = HTTP_STATUS[exception.code];
      body = exception.toBody();
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const code = CODE_OF_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_REQUEST');
      // Body-parser messages quote the input: never echo it (it may hold a token).
      const message =
        status === HttpStatus.NOT_FOUND
          ? 'no such route'
          : status === 400
            ? 'request body is not valid JSON'
            : status === HttpStatus.TOO_MANY_REQUESTS
              ? 'too many requests; retry later'
              : exception.message;
      body = { code, message };
      if (code === 'INVALID_REQUEST') body.field = '$';
    } else {
      status = 500;
      body = { code: 'INTERNAL', message: 'internal error' };
      this.logger.error(`unexpected error: ${(exception as Error)?.stack ?? String(exception)}`);
    }
    setRevisionHeader(response, body);
    response.status(status).json(body);
  }
}
