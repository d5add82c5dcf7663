import { Body, Controller, Delete, Get, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { PoliciesService } from '../domain/policies.service';
import { AuthenticatedRequest } from './bearer-auth.guard';
import { CreateRoleDto, PolicyDto, UpdateRoleDto } from './dto/admin.dto';
import { AdminApi, ApiErrors } from './openapi-decorators';

/** Roles and policies (admin token). */
@Controller('v1')
@AdminApi('roles and policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post('roles')
  @ApiOperation({ summary: 'Create a role (a named set of actions)' })
  @ApiErrors(409)
  createRole(@Req() req: AuthenticatedRequest, @Body() body: CreateRoleDto) {
    return this.policies.createRole(req.actor!, body);
  }

  @Get('roles/:id')
  @ApiOperation({ summary: 'Read a role' })
  @ApiErrors(404)
  getRole(@Param('id') id: string) {
    return this.policies.getRole(id);
  }

  @Put('roles/:id')
  @ApiOperation({ summary: "Replace a role's actions" })
  @ApiErrors(404)
  updateRole(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Body() body: UpdateRoleDto) {
    return this.policies.updateRole(req.actor!, id, body);
  }

  @Delete('roles/:id')
  @ApiOperation({ summary: 'Delete a role (refused while a policy uses it)' })
  @ApiErrors(404, 409)
  deleteRole(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.policies.deleteRole(req.actor!, id);
  }

  @Post('policies')
  @ApiOperation({ summary: 'Create a policy: subjects, a role or actions, resource patterns, allow or deny' })
  createPolicy(@Req() req: AuthenticatedRequest, @Body() body: PolicyDto) {
    return this.policies.createPolicy(req.actor!, body);
  }

  @Get('policies')
  @ApiOperation({ summary: 'List policies' })
  async listPolicies() {
    return { policies: await this.policies.listPolicies() };
  }

  @Get('policies/:id')
  @ApiOperation({ summary: 'Read a policy' })
  @ApiErrors(404)
  getPolicy(@Param('id') id: string) {
    return this.policies.getPolicy(id);
  }

  @Put('policies/:id')
  @ApiOperation({ summary: 'Replace a policy' })
  @ApiErrors(404)
  updatePolicy(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Body() body: PolicyDto) {
    return this.policies.updatePolicy(req.actor!, id, body);
  }

  @Delete('policies/:id')
  @ApiOperation({ summary: 'Delete a policy' })
  @ApiErrors(404)
  deletePolicy(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.policies.deletePolicy(req.actor!, id);
  }
}
