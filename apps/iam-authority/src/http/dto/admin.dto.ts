import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidationOptions,
} from 'class-validator';
import {
  ACTION,
  ACTION_HINT,
  GROUP_ID,
  GROUP_ID_HINT,
  MAX_LIST,
  MAX_RESOURCE_LENGTH,
  PRINCIPAL_ID,
  PRINCIPAL_ID_HINT,
  RESOURCE,
  RESOURCE_HINT,
  ROLE_ID,
  ROLE_ID_HINT,
} from '../../domain/identifiers';
import { MAX_TOKEN_TTL_SECONDS } from '../../domain/principals.service';

const SUBJECT = new RegExp(`${PRINCIPAL_ID.source}|${GROUP_ID.source}`);

/** `POST /v1/principals` */
export class CreatePrincipalDto {
  @ApiProperty({ description: PRINCIPAL_ID_HINT, example: 'user:ada@example.com', maxLength: 256 })
  @IsString() @MaxLength(256) @Matches(PRINCIPAL_ID, { message: `id must be ${PRINCIPAL_ID_HINT}` }) id!: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 256, example: 'Ada Lovelace' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(256) displayName?: string;
}

/** `POST /v1/groups` */
export class CreateGroupDto {
  @ApiProperty({ description: GROUP_ID_HINT, example: 'group:eng' })
  @IsString() @Matches(GROUP_ID, { message: `id must be ${GROUP_ID_HINT}` }) id!: string;
}

/** `PUT /v1/roles/:id` */
export class UpdateRoleDto {
  @ApiProperty({ description: `each ${ACTION_HINT}`, type: [String], minItems: 1, maxItems: MAX_LIST, example: ['routers.read', 'routers.*'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_LIST) @IsString({ each: true }) @MaxLength(256, { each: true })
  @Matches(ACTION, { each: true, message: `each of actions must be ${ACTION_HINT}` })
  actions!: string[];
}

/** `POST /v1/roles` */
export class CreateRoleDto extends UpdateRoleDto {
  @ApiProperty({ description: ROLE_ID_HINT, example: 'router-admin' })
  @IsString() @Matches(ROLE_ID, { message: `id must be ${ROLE_ID_HINT}` }) id!: string;
}

/** `POST /v1/policies` and `PUT /v1/policies/:id` (exactly one of `role` or `actions`). */
export class PolicyDto {
  @ApiProperty({ description: `principals (${PRINCIPAL_ID_HINT}) or groups (${GROUP_ID_HINT})`, type: [String], minItems: 1, maxItems: MAX_LIST, example: ['group:eng'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_LIST) @IsString({ each: true }) @MaxLength(256, { each: true })
  @Matches(SUBJECT, { each: true, message: `each of subjects must be ${PRINCIPAL_ID_HINT}, or ${GROUP_ID_HINT}` })
  subjects!: string[];

  @ApiPropertyOptional({ description: `a role id (${ROLE_ID_HINT}); exactly one of role or actions`, example: 'router-admin' })
  @ValidateIf((o: PolicyDto) => o.role !== undefined || o.actions === undefined)
  @IsString({ message: 'role must be a role id (give exactly one of role or actions)' })
  @Matches(ROLE_ID, { message: `role must be ${ROLE_ID_HINT}` })
  role?: string;

  @ApiPropertyOptional({ description: `each ${ACTION_HINT}; exactly one of role or actions`, type: [String], minItems: 1, maxItems: MAX_LIST })
  @ValidateIf((o: PolicyDto) => o.actions !== undefined || o.role === undefined)
  @IsArray({ message: 'actions must be an array of actions (give exactly one of role or actions)' })
  @ArrayMinSize(1) @ArrayMaxSize(MAX_LIST) @IsString({ each: true }) @MaxLength(256, { each: true })
  @Matches(ACTION, { each: true, message: `each of actions must be ${ACTION_HINT}` })
  actions?: string[];

  @ApiProperty({ description: `resource patterns, each ${RESOURCE_HINT}`, type: [String], minItems: 1, maxItems: MAX_LIST, example: ['projects:42:**'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_LIST) @IsString({ each: true }) @MaxLength(MAX_RESOURCE_LENGTH, { each: true })
  @Matches(RESOURCE, { each: true, message: `each of resources must be ${RESOURCE_HINT}` })
  resources!: string[];

  @ApiProperty({ enum: ['allow', 'deny'], description: 'an explicit deny beats any allow' })
  @IsIn(['allow', 'deny'], { message: "effect must be 'allow' or 'deny'" }) effect!: 'allow' | 'deny';
}

/** `POST /v1/principals/:id/tokens` */
export class CreateTokenDto {
  @ApiPropertyOptional({ description: 'lifetime in seconds; no expiry when absent', type: 'integer', minimum: 1, maximum: MAX_TOKEN_TTL_SECONDS })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_TOKEN_TTL_SECONDS) ttlSeconds?: number;
}

/** `POST /v1/admin/flush`: `scope` is `"all"`, `{tenant}` or `{principal}` (checked by the domain). */
export class FlushDto {
  @ApiProperty({
    description: "`'all'`, `{\"tenant\": \"<tenant>\"}` or `{\"principal\": \"<principal id>\"}`",
    oneOf: [
      { type: 'string', enum: ['all'] },
      { type: 'object', required: ['tenant'], properties: { tenant: { type: 'string', minLength: 1, maxLength: 256 } } },
      { type: 'object', required: ['principal'], properties: { principal: { type: 'string', maxLength: 256 } } },
    ],
  })
  @ValidateIf(() => true)
  @IsFlushScope()
  scope!: unknown;
  @ApiPropertyOptional({ maxLength: 1024, description: 'why (in the audit log and the event)' })
  @IsOptional() @IsString() @MaxLength(1024) reason?: string;
}

/** `"all"`, `{tenant: string}` or `{principal: <principal id>}`, nothing else. */
function IsFlushScope(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isFlushScope',
      target: object.constructor,
      propertyName,
      options: { message: "scope must be 'all', {\"tenant\": \"<tenant>\"} or {\"principal\": \"<principal id>\"}", ...options },
      validator: {
        validate(value: unknown): boolean {
          if (value === 'all') return true;
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const keys = Object.keys(value);
          if (keys.length !== 1) return false;
          const entry = (value as Record<string, unknown>)[keys[0]];
          if (keys[0] === 'tenant') return typeof entry === 'string' && entry.length > 0 && entry.length <= 256;
          if (keys[0] === 'principal') return typeof entry === 'string' && PRINCIPAL_ID.test(entry) && entry.length <= 256;
          return false;
        },
      },
    });
}
