import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Environments a router can serve in. */
const ROUTER_ENVIRONMENTS = ['staging', 'production'] as const;
export type RouterEnvironment = (typeof ROUTER_ENVIRONMENTS)[number];

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Body of `POST /v1/projects/:project/routers`. */
export class CreateRouterDto {
  @IsString() @Matches(NAME, { message: 'name must be lowercase letters, digits and dashes (at most 63)' }) name!: string;
  @IsOptional() @IsString() @MaxLength(500) description?: string;
  @IsOptional() @IsIn(ROUTER_ENVIRONMENTS as unknown as string[]) environment?: RouterEnvironment;
}

/** Body of `PUT /v1/projects/:project/routers/:id`: the fields to change. */
export class UpdateRouterDto {
  @IsOptional() @IsString() @Matches(NAME, { message: 'name must be lowercase letters, digits and dashes (at most 63)' }) name?: string;
  @IsOptional() @IsString() @MaxLength(500) description?: string;
  @IsOptional() @IsIn(ROUTER_ENVIRONMENTS as unknown as string[]) environment?: RouterEnvironment;
}

/** A router as the API returns it. */
export interface Router {
  id: string;
  project: string;
  name: string;
  description: string;
  environment: RouterEnvironment;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
