import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { ACTION, ACTION_HINT, MAX_RESOURCE_LENGTH, PRINCIPAL_ID, PRINCIPAL_ID_HINT, RESOURCE, RESOURCE_HINT } from '../../domain/identifiers';

/** `POST /v1/check` */
export class CheckDto {
  @IsString() @MaxLength(256) @Matches(PRINCIPAL_ID, { message: `principal must be ${PRINCIPAL_ID_HINT}` }) principal!: string;
  @IsString() @MaxLength(256) @Matches(ACTION, { message: `action must be ${ACTION_HINT}` }) action!: string;
  @IsString() @MaxLength(MAX_RESOURCE_LENGTH) @Matches(RESOURCE, { message: `resource must be ${RESOURCE_HINT}` }) resource!: string;
  @IsOptional() @IsInt() @Min(0) atLeastRevision?: number;
}

/** `POST /v1/identity/resolve` */
export class ResolveIdentityDto {
  @IsString() @MaxLength(512) token!: string;
}
