import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { PrincipalsService } from '../domain/principals.service';
import { AuthenticatedRequest } from './bearer-auth.guard';
import { CreatePrincipalDto, CreateTokenDto } from './dto/admin.dto';

/** Principals and their tokens (admin token). */
@Controller('v1')
export class PrincipalsController {
  constructor(private readonly principals: PrincipalsService) {}

  @Post('principals')
  create(@Req() req: AuthenticatedRequest, @Body() body: CreatePrincipalDto) {
    return this.principals.create(req.actor!, body);
  }

  @Get('principals')
  async list() {
    return { principals: await this.principals.list() };
  }

  @Get('principals/:id')
  get(@Param('id') id: string) {
    return this.principals.get(id);
  }

  @Delete('principals/:id')
  delete(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.principals.delete(req.actor!, id);
  }

  @Post('principals/:id/disable')
  @HttpCode(200)
  disable(@Req() req: AuthenticatedRequest, @Param('id') id: string) {
    return this.principals.disable(req.actor!, id);
  }

  /** Answers the secret token once; it is not stored and cannot be shown again. */
  @Post('principals/:id/tokens')
  // The answer holds a secret: no proxy or browser may keep it.
  @Header('Cache-Control', 'no-store')
  createToken(@Req() req: AuthenticatedRequest, @Param('id') id: string, @Body() body: CreateTokenDto) {
    return this.principals.createToken(req.actor!, id, body ?? {});
  }

  @Delete('tokens/:tokenId')
  revokeToken(@Req() req: AuthenticatedRequest, @Param('tokenId') tokenId: string) {
    return this.principals.revokeToken(req.actor!, tokenId);
  }
}
