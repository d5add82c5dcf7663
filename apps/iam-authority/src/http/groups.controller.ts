import { Body, Controller, Delete, Get, Param, Post, Put, Req } from '@nestjs/common';
import { GroupsService } from '../domain/groups.service';
import { AuthenticatedRequest } from './bearer-auth.guard';
import { CreateGroupDto } from './dto/admin.dto';

/** Groups and memberships (admin token). */
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  create(@Req() req: AuthenticatedRequest, @Body() body: CreateGroupDto) {
    return this.groups.create(req.actor!, body);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.groups.get(id);
  }

  @Delete(':id')
  delete(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.groups.delete(req.actor!, id);
  }

  @Put(':id/members/:principal')
  addMember(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Param('principal') principal: string) {
    return this.groups.addMember(req.actor!, id, principal);
  }

  @Delete(':id/members/:principal')
  removeMember(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Param('principal') principal: string) {
    return this.groups.removeMember(req.actor!, id, principal);
  }
}
