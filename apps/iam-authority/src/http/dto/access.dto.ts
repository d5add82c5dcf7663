import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/*
 * `POST /v1/check` has no DTO: its body goes through `CheckRequestPipe` and
 * the domain's validation (the hot path; see check-request.pipe.ts).
 */

/** `POST /v1/identity/resolve` */
export class ResolveIdentityDto {
  @ApiProperty({ description: 'the bearer token to resolve (`iam_<id>_<secret>`)', maxLength: 512 })
  @IsString() @MaxLength(512) token!: string;
}
