import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const NAME_MESSAGE = 'must be lowercase letters, digits and dashes (at most 63)';

/** One arm of an experiment with its share of the traffic, in percent. */
export class VariantDto {
  @IsString() @Matches(NAME, { message: `name ${NAME_MESSAGE}` }) name!: string;
  @IsInt() @Min(0) @Max(100) weight!: number;
}

/** Body of `POST /v1/projects/:project/routers/:id/experiments`; weights must add up to 100. */
export class CreateExperimentDto {
  @IsString() @Matches(NAME, { message: `name ${NAME_MESSAGE}` }) name!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => VariantDto) variants!: VariantDto[];
}

/** An experiment as the API returns it. */
export interface Experiment {
  id: string;
  project: string;
  routerId: string;
  name: string;
  variants: Array<{ name: string; weight: number }>;
  status: 'draft';
  createdBy: string;
  createdAt: string;
}
