import { CanActivate, ExecutionContext, HttpStatus, Injectable, InjectionToken, Logger } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { CheckResult, fixedLengthSecretsEqual, REVISION_HEADER, ResolvedIdentity } from '@iam/contracts';
import { TokenKeys } from '../core/cache-keys';
import { MISS, type Miss } from '../core/types';
import { AuthorityRateLimitedError, RevisionNotReachedError } from '../errors';
import { AuthzService } from '../authz.service';
import { findIdentityResolver, resolverTokenName } from '../identity/find-identity-resolver';
import { IdentityReadOptions, IdentityResolver } from '../identity/identity-resolver';
import { API_TOKEN_PATTERN, bearerToken } from './bearer-token';
import { httpError } from './http-errors';
import { admitIdentity } from './request-identity';
import { compileResourceTemplate, ResourceParamError, ResourceTemplateFiller } from './resource-template';

/** Metadata key of {@link RequirePermission}. */
export const REQUIRE_PERMISSION = 'iam:require-permission';
/** Metadata key of `@UseIdentityResolver`: the provider token of an {@link IdentityResolver}. */
export const USE_IDENTITY_RESOLVER = 'iam:use-identity-resolver';

/** What `@RequirePermission` records on a handler or controller. */
export interface RequiredPermission {
  action: string;
  resourceTemplate: string;
}

/**
 * What the guard needs to know about a route, read from its metadata once
 * per (controller, handler): metadata is fixed once the app is built, and
 * four reflector lookups plus a template parse per request were a large
 * part of a warm hit's cost.
 */
interface RoutePlan {
  required: RequiredPermission;
  resource: ResourceTemplateFiller;
  /** `@UseIdentityResolver`'s token; undefined: the module's shared resolver. */
  resolverToken: InjectionToken | undefined;
}

/** A connection's last `Authorization` header, its bearer token (parsed, of the authority's shape) and the token's keys. */
interface KnownToken {
  readonly header: string;
  readonly token: string;
  readonly keys: TokenKeys;
}

/** Read options of a request without `x-iam-revision` (shared: never mutated). */
const NO_READ_OPTIONS: IdentityReadOptions = Object.freeze({});

/** The request as the guard sees it (Express or any adapter with the same fields). */
interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  /** The connection it came on (Node's `IncomingMessage.socket`), if the adapter exposes it. */
  socket?: object | null;
}

/**
 * Resolves the caller's bearer token and checks the permission recorded by
 * `@RequirePermission`, through the caches. Fails closed:
 * - 401 UNAUTHENTICATED: no bearer token, or an unknown/expired/revoked one;
 * - 403 FORBIDDEN: the authority (or a fresh cache entry) says deny;
 * - 503 AUTHZ_UNAVAILABLE: the answer cannot be verified (authority down and
 *   no entry young enough to serve);
 * - 400 INVALID_REQUEST: a bad `x-iam-revision` header or route parameter.
 * - 500 INTERNAL: the route's `@UseIdentityResolver` token is not a
 *   registered {@link IdentityResolver} (a wiring mistake; fails closed).
 * The `x-iam-revision` header is the consistency token for both reads.
 * Both reads go through one identity resolver, so both are cached in its
 * partition: the module's shared one, or the route's override.
 * On success the request's {@link ResolvedIdentity} is kept beside it:
 * `@CurrentIdentity()` or `identityOf(request)` reads it.
 */
@Injectable()
export class AuthzGuard implements CanActivate {
  private readonly logger = new Logger('AuthzGuard');
  /** Override resolvers already looked up, by provider token (a lookup per request would cost a DI search). */
  private readonly overrides = new Map<InjectionToken, IdentityResolver>();
  /** Route plans by controller class, then handler (a handler inherited by two controllers may carry different class metadata). */
  private readonly plans = new WeakMap<object, WeakMap<object, RoutePlan | null>>();
  /**
   * Per connection, the last `Authorization` header it carried, with its
   * bearer token (already parsed and checked for shape) and the token's
   * {@link TokenKeys}: a keep-alive connection usually carries one caller,
   * and hashing the token was a third of a warm request's cost in the guard;
   * parsing it again and hashing a fresh identity key were most of the rest
   * of the token's share. Compared in constant time (behind a proxy one
   * connection carries many callers). Held only as long as the connection
   * lives, never in a cache key, a snapshot or a dump.
   */
  private readonly lastTokenOn = new WeakMap<object, KnownToken>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authz: AuthzService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * A warm request (identity and decision both fresh hits) is answered
   * synchronously: a boolean, no promise, and Nest does not await a boolean.
   * Anything else goes the async way. Never throws synchronously: a refusal
   * is a rejected promise either way.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    try {
      return this.activate(context);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private activate(context: ExecutionContext): boolean | Promise<boolean> {
    const plan = this.planFor(context);
    if (!plan) return true;
    const action = plan.required.action;
    const resolver = this.resolverFor(plan.resolverToken);
    const request = context.switchToHttp().getRequest<GuardedRequest>();

    // Express gives each request its own hidden class, so every property read on it is a megamorphic lookup: read each once.
    const headers = request.headers;
    const header = headers.authorization;
    const socket = request.socket;
    const known = this.knownToken(socket, header);
    const token = known?.token ?? bearerToken(header);
    if (!token) throw httpError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', 'a bearer token is required');
    // Not an authority token at all: no need to ask anyone (and no cache entry for garbage).
    if (!known && !API_TOKEN_PATTERN.test(token)) throw unknownToken();
    const keys = known?.keys ?? this.remember(socket, header, token);

    const minRevision = this.revisionHeader(headers[REVISION_HEADER]);
    let resource: string;
    try {
      resource = plan.resource(request.params ?? {});
    } catch (error) {
      if (error instanceof ResourceParamError) throw httpError(HttpStatus.BAD_REQUEST, 'INVALID_REQUEST', error.message, error.param);
      throw error;
    }

    const readOptions = minRevision === undefined ? NO_READ_OPTIONS : { minRevision };
    let identity: ResolvedIdentity | null | Miss;
    try {
      identity = resolver.resolveHit(token, readOptions, keys);
    } catch (error) {
      throw this.unavailable('identity', error);
    }
    if (identity === MISS) return this.readThrough(request, resolver, token, action, resource, readOptions);
    if (!identity) throw unknownToken();
    let decision: CheckResult | Miss;
    try {
      decision = resolver.checkHit(identity.principal, action, resource, readOptions);
    } catch (error) {
      throw this.unavailable('check', error);
    }
    if (decision === MISS) return this.checkThrough(request, resolver, identity, action, resource, readOptions);
    return admit(request, identity, decision.allowed, action, resource);
  }

  /** The connection's last token, when this request carries the very same `Authorization` header. */
  private knownToken(socket: object | null | undefined, header: string | string[] | undefined): KnownToken | undefined {
    if (typeof socket !== 'object' || socket === null || typeof header !== 'string') return undefined;
    const last = this.lastTokenOn.get(socket);
    return last !== undefined && fixedLengthSecretsEqual(last.header, header) ? last : undefined;
  }

  /** The keys of a token just parsed and checked, kept as the connection's last one. */
  private remember(socket: object | null | undefined, header: string | string[] | undefined, token: string): TokenKeys {
    const keys = TokenKeys.of(token);
    if (typeof socket === 'object' && socket !== null && typeof header === 'string') this.lastTokenOn.set(socket, { header, token, keys });
    return keys;
  }

  /** Identity not a fresh hit: resolve it, then check, both through the cache (loads, joins, the degraded policy). */
  private async readThrough(
    request: GuardedRequest,
    resolver: IdentityResolver,
    token: string,
    action: string,
    resource: string,
    readOptions: IdentityReadOptions,
  ): Promise<boolean> {
    let identity: ResolvedIdentity | null;
    try {
      identity = await resolver.resolve(token, readOptions);
    } catch (error) {
      throw this.unavailable('identity', error);
    }
    if (!identity) throw unknownToken();
    return this.checkThrough(request, resolver, identity, action, resource, readOptions);
  }

  private async checkThrough(
    request: GuardedRequest,
    resolver: IdentityResolver,
    identity: ResolvedIdentity,
    action: string,
    resource: string,
    readOptions: IdentityReadOptions,
  ): Promise<boolean> {
    let allowed: boolean;
    try {
      allowed = (await resolver.check(identity.principal, action, resource, readOptions)).allowed;
    } catch (error) {
      throw this.unavailable('check', error);
    }
    return admit(request, identity, allowed, action, resource);
  }

  /** The route's plan (null: no `@RequirePermission`), read from its metadata on first use. */
  private planFor(context: ExecutionContext): RoutePlan | null {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.plans.get(controller);
    if (!byHandler) this.plans.set(controller, (byHandler = new WeakMap()));
    let plan = byHandler.get(handler);
    if (plan === undefined) {
      const targets = [handler, controller];
      const required = this.reflector.getAllAndOverride<RequiredPermission | undefined>(REQUIRE_PERMISSION, targets);
      plan = required
        ? {
            required,
            resource: compileResourceTemplate(required.resourceTemplate),
            resolverToken: this.reflector.getAllAndOverride<InjectionToken | undefined>(USE_IDENTITY_RESOLVER, targets),
          }
        : null;
      byHandler.set(handler, plan);
    }
    return plan;
  }

  /** The route's override resolver (`@UseIdentityResolver`), else the module's shared one. */
  private resolverFor(token: InjectionToken | undefined): IdentityResolver {
    if (token === undefined) return this.authz.identityResolver;
    const known = this.overrides.get(token);
    if (known) return known;
    const found = findIdentityResolver(this.moduleRef, token);
    if (!found) {
      this.logger.error(`@UseIdentityResolver(${resolverTokenName(token)}): no IdentityResolver is registered under this token`);
      throw httpError(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL', 'the identity resolver of this route is not configured');
    }
    this.overrides.set(token, found);
    return found;
  }

  private revisionHeader(value: string | string[] | undefined): number | undefined {
    if (value === undefined) return undefined;
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined || !/^\d{1,15}$/.test(text.trim())) {
      throw httpError(HttpStatus.BAD_REQUEST, 'INVALID_REQUEST', `${REVISION_HEADER} must be a non-negative integer revision`, REVISION_HEADER);
    }
    return Number(text.trim());
  }

  private unavailable(what: string, error: unknown) {
    // Answers about the request itself, not outages: no log line (a flood of them must not flood the log).
    if (error instanceof RevisionNotReachedError) {
      return httpError(HttpStatus.PRECONDITION_FAILED, 'REVISION_NOT_REACHED', `${REVISION_HEADER} names a revision the authority has not reached`, REVISION_HEADER);
    }
    if (error instanceof AuthorityRateLimitedError) return httpError(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', error.message);
    // The error's message names the failure (timeout, no responders), never a token.
    const code = (error as { code?: string }).code ?? 'ERROR';
    this.logger.warn(`${what} could not be verified: ${code}: ${(error as Error).message}`);
    return httpError(HttpStatus.SERVICE_UNAVAILABLE, 'AUTHZ_UNAVAILABLE', 'authorization cannot be verified right now; try again');
  }
}

function unknownToken() {
  return httpError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', 'the bearer token is unknown, expired or revoked');
}

/** 403 unless allowed; on success the request's identity is recorded (`identityOf`). */
function admit(request: GuardedRequest, identity: ResolvedIdentity, allowed: boolean, action: string, resource: string): true {
  if (!allowed) throw httpError(HttpStatus.FORBIDDEN, 'FORBIDDEN', `${identity.principal} may not ${action} on ${resource}`);
  admitIdentity(request, identity);
  return true;
}
