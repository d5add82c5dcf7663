import { Body, Controller, Delete, Get, Param, Post, Put, Req } from '@nestjs/common';
import { PoliciesService } from '../domain/policies.service';
import { AuthenticatedRequest } from './bearer-auth.guard';
import { CreateRoleDto, PolicyDto, UpdateRoleDto } from './dto/admin.dto';

/** Roles and policies (admin token). */
@Controller('v1')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post('roles')
  createRole(@Req() req: AuthenticatedRequest, @Body() body: CreateRoleDto) {
    return this.policies.createRole(req.actor!, body);
  }

  @Get('roles/:id')
  getRole(@Param('id') id: string) {
    return this.policies.getRole(id);
  }

  @Put('roles/:id')
  updateRole(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Body() body: UpdateRoleDto) {
    return this.policies.updateRole(req.actor!, id, body);
  }

  @Delete('roles/:id')
  deleteRole(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.policies.deleteRole(req.actor!, id);
  }

  @Post('policies')
  createPolicy(@Req() req: AuthenticatedRequest, @Body() body: PolicyDto) {
    return this.policies.createPolicy(req.actor!, body);
  }

  @Get('policies')
  async listPolicies() {
    return { policies: await this.policies.listPolicies() };
  }

  @Get('policies/:id')
  getPolicy(@Param('id') id: string) {
    return this.policies.getPolicy(id);
  }

  @Put('policies/:id')
  updatePolicy(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Body() body: PolicyDto) {
    return this.policies.updatePolicy(req.actor!, id, body);
  }

  @Delete('policies/:id')
  deletePolicy(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.policies.deletePolicy(req.actor!, id);
  }
}
