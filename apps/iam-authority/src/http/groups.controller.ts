import { Body, Controller, Delete, Get, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { GroupsService } from '../domain/groups.service';
import { AuthenticatedRequest } from './bearer-auth.guard';
import { CreateGroupDto } from './dto/admin.dto';
import { AdminApi, ApiErrors } from './openapi-decorators';

/** Groups and memberships (admin token). */
@Controller('v1/groups')
@AdminApi('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a group (`group:<name>`)' })
  @ApiErrors(409)
  create(@Req() req: AuthenticatedRequest, @Body() body: CreateGroupDto) {
    return this.groups.create(req.actor!, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a group and its members' })
  @ApiErrors(404)
  get(@Param('id') id: string) {
    return this.groups.get(id);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a group' })
  @ApiErrors(404)
  delete(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.groups.delete(req.actor!, id);
  }

  @Put(':id/members/:principal')
  @ApiOperation({ summary: 'Add a member' })
  @ApiErrors(404)
  addMember(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Param('principal') principal: string) {
    return this.groups.addMember(req.actor!, id, principal);
  }

  @Delete(':id/members/:principal')
  @ApiOperation({ summary: 'Remove a member' })
  @ApiErrors(404)
  removeMember(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Param('principal') principal: string) {
    return this.groups.removeMember(req.actor!, id, principal);
  }
}
