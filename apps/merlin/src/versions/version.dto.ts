import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Body of `POST /v1/projects/:project/models/:id/versions`. */
export class CreateVersionDto {
  @IsString() @MaxLength(1024) @Matches(/^[a-z][a-z0-9+.-]*:\/\/\S+$/, { message: 'artifactUri must be a URI such as gs://bucket/model' })
  artifactUri!: string;
  @IsOptional() @IsString() @MaxLength(500) description?: string;
}

/** Body of `POST .../versions/:v/deploy` (optional). */
export class DeployVersionDto {
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'environment must be lowercase letters, digits and dashes' })
  environment?: string;
}

/** A model version as the API returns it. */
export interface ModelVersion {
  modelId: string;
  project: string;
  version: number;
  artifactUri: string;
  description: string;
  createdBy: string;
  createdAt: string;
  deployment: { environment: string; endpoint: string; deployedBy: string; deployedAt: string } | null;
}
