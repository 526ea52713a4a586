import { context as otelContext, createContextKey } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import type { Principal } from '@sightline/core';
import { SemanticAttributes, SightlineAttributes } from './attributes.js';

/** Business context work is attributed to, beside the principal who did it. */
export interface BusinessContext {
  /** Business project, stamped as `sightline.project`. */
  readonly project?: string;
  /** Source repository, stamped as `vcs.repository.name`. */
  readonly repository?: string;
}

const PRINCIPAL_KEY = createContextKey('sightline.principal');
const BUSINESS_KEY = createContextKey('sightline.business');
const ATTRIBUTES_KEY = createContextKey('sightline.attribution.attributes');

const EMPTY_ATTRIBUTES: Attributes = Object.freeze({});

/** Returns `ctx` carrying `principal`; every span the helpers start below it is stamped with it. */
export function setPrincipal(ctx: Context, principal: Principal): Context {
  const withPrincipal = ctx.setValue(PRINCIPAL_KEY, principal);
  return withPrincipal.setValue(ATTRIBUTES_KEY, buildAttributes(principal, getBusinessContext(ctx)));
}

/** Returns `ctx` carrying `business` (merged over any business context already in `ctx`). */
export function setBusinessContext(ctx: Context, business: BusinessContext): Context {
  const merged: BusinessContext = { ...getBusinessContext(ctx), ...business };
  const withBusiness = ctx.setValue(BUSINESS_KEY, merged);
  return withBusiness.setValue(ATTRIBUTES_KEY, buildAttributes(getPrincipal(ctx), merged));
}

/** The principal carried by `ctx` (default: the active context), if any. */
export function getPrincipal(ctx: Context = otelContext.active()): Principal | undefined {
  return ctx.getValue(PRINCIPAL_KEY) as Principal | undefined;
}

/** The business context carried by `ctx` (default: the active context), if any. */
export function getBusinessContext(ctx: Context = otelContext.active()): BusinessContext | undefined {
  return ctx.getValue(BUSINESS_KEY) as BusinessContext | undefined;
}

/**
 * The span attributes for the attribution carried by `ctx`: `user.id`, `user.roles`,
 * `sightline.principal.kind`, `sightline.team`, `sightline.department`, `sightline.tenant.id`,
 * `sightline.project`, `vcs.repository.name`. Computed once when the context is built, so reading
 * it per span costs one lookup.
 */
export function attributionAttributes(ctx: Context = otelContext.active()): Attributes {
  return (ctx.getValue(ATTRIBUTES_KEY) as Attributes | undefined) ?? EMPTY_ATTRIBUTES;
}

/**
 * Runs `fn` with `principal` (and optionally business context) in the active context.
 * @example
 * await withAttribution({ id: 'u-42', kind: 'user', team: 'payments' }, { project: 'checkout' }, () =>
 *   traceCommand(command, handle));
 */
export function withAttribution<R>(principal: Principal | undefined, business: BusinessContext | undefined, fn: () => R): R {
  let ctx = otelContext.active();
  if (principal !== undefined) ctx = setPrincipal(ctx, principal);
  if (business !== undefined) ctx = setBusinessContext(ctx, business);
  return otelContext.with(ctx, fn);
}

function buildAttributes(principal: Principal | undefined, business: BusinessContext | undefined): Attributes {
  const attributes: Attributes = {};
  if (principal !== undefined) {
    attributes[SemanticAttributes.USER_ID] = principal.id;
    attributes[SightlineAttributes.PRINCIPAL_KIND] = principal.kind;
    if (principal.roles !== undefined && principal.roles.length > 0) attributes[SemanticAttributes.USER_ROLES] = [...principal.roles];
    if (principal.team !== undefined) attributes[SightlineAttributes.TEAM] = principal.team;
    if (principal.department !== undefined) attributes[SightlineAttributes.DEPARTMENT] = principal.department;
    if (principal.tenant !== undefined) attributes[SightlineAttributes.TENANT_ID] = principal.tenant;
  }
  if (business?.project !== undefined) attributes[SightlineAttributes.PROJECT] = business.project;
  if (business?.repository !== undefined) attributes[SemanticAttributes.VCS_REPOSITORY_NAME] = business.repository;
  return Object.freeze(attributes);
}
