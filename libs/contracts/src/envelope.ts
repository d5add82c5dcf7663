import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

/** Most tags one event may carry. */
export const MAX_EVENT_TAGS = 10_000;

/** Validation class of the envelope (the payload is validated per type). */
export class EnvelopeSchema {
  @IsString() @MinLength(1) @MaxLength(128) id!: string;
  @IsString() @Matches(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9]*)*$/, { message: 'type must be dot-separated lowercase words' })
  @MaxLength(128)
  type!: string;
  @IsInt() @Min(1) version!: number;
  @IsInt() @Min(0) revision!: number;
  @IsISO8601({ strict: true }) occurredAt!: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(256) tenant?: string;
  @IsString() @MinLength(1) @MaxLength(256) actor!: string;
  @IsArray() @ArrayMaxSize(MAX_EVENT_TAGS) @IsString({ each: true }) @MinLength(3, { each: true }) @MaxLength(1100, { each: true })
  tags!: string[];
  @IsDefined() payload!: unknown;
}
