import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { PrincipalsService } from '../domain/principals.service';
import { AuthenticatedRequest } from './bearer-auth.guard';
import { CreatePrincipalDto, CreateTokenDto } from './dto/admin.dto';
import { AdminApi, ApiErrors } from './openapi-decorators';

/** Principals and their tokens (admin token). */
@Controller('v1')
@AdminApi('principals')
export class PrincipalsController {
  constructor(private readonly principals: PrincipalsService) {}

  @Post('principals')
  @ApiOperation({ summary: 'Create a principal (`user:<email>` or `sa:<name>`)' })
  @ApiCreatedResponse({ description: 'The principal and the new revision (also in `x-iam-revision`)' })
  @ApiErrors(409)
  create(@Req() req: AuthenticatedRequest, @Body() body: CreatePrincipalDto) {
    return this.principals.create(req.actor!, body);
  }

  @Get('principals')
  @ApiOperation({ summary: 'List principals' })
  async list() {
    return { principals: await this.principals.list() };
  }

  @Get('principals/:id')
  @ApiOperation({ summary: 'Read a principal' })
  @ApiParam({ name: 'id', example: 'user:ada@example.com' })
  @ApiErrors(404)
  get(@Param('id') id: string) {
    return this.principals.get(id);
  }

  @Delete('principals/:id')
  @ApiOperation({ summary: 'Delete a principal (its tokens stop resolving, its policies stop applying)' })
  @ApiErrors(404)
  delete(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.principals.delete(req.actor!, id);
  }

  @Post('principals/:id/disable')
  @ApiOperation({ summary: 'Disable a principal: denied everywhere, tokens stop resolving' })
  @ApiOkResponse({ description: 'The new revision' })
  @ApiErrors(404)
  @HttpCode(200)
  disable(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.principals.disable(req.actor!, id);
  }

  /** Answers the secret token once; it is not stored and cannot be shown again. */
  @Post('principals/:id/tokens')
  @ApiOperation({ summary: 'Create an API token; the secret is answered once (Cache-Control: no-store)' })
  @ApiErrors(404)
  // The answer holds a secret: no proxy or browser may keep it.
  @Header('Cache-Control', 'no-store')
  createToken(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Body() body: CreateTokenDto) {
    return this.principals.createToken(req.actor!, id, body ?? {});
  }

  @Delete('tokens/:tokenId')
  @ApiOperation({ summary: 'Revoke a token (every cache busts it on the event)' })
  @ApiErrors(404)
  revokeToken(@Req() req: AuthenticatedRequest, @Param('tokenId') tokenId: string) {
    return this.principals.revokeToken(req.actor!, tokenId);
  }
}
