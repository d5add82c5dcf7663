import { IsIn, IsString, Matches } from 'class-validator';

/** Model flavours merlin knows how to serve. */
const MODEL_TYPES = ['pyfunc', 'sklearn', 'xgboost', 'tensorflow', 'pytorch', 'custom'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** Body of `POST /v1/projects/:project/models`. */
export class CreateModelDto {
  @IsString() @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'name must be lowercase letters, digits and dashes (at most 63)' }) name!: string;
  @IsIn(MODEL_TYPES as unknown as string[]) type!: ModelType;
}

/** A model as the API returns it. */
export interface Model {
  id: string;
  project: string;
  name: string;
  type: ModelType;
  createdBy: string;
  createdAt: string;
}
