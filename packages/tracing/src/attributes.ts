/**
 * Attribute names this package writes. Where the OpenTelemetry semantic conventions (1.45) define
 * a name it is used as is; everything else lives under the documented `sightline.*` namespace.
 */

/** OpenTelemetry semantic-convention attribute names used by the domain helpers. */
export const SemanticAttributes = Object.freeze({
  MESSAGING_SYSTEM: 'messaging.system',
  MESSAGING_OPERATION_TYPE: 'messaging.operation.type',
  MESSAGING_OPERATION_NAME: 'messaging.operation.name',
  MESSAGING_MESSAGE_ID: 'messaging.message.id',
  /** Semconv: "Sometimes called Correlation ID". */
  MESSAGING_MESSAGE_CONVERSATION_ID: 'messaging.message.conversation_id',
  MESSAGING_DESTINATION_NAME: 'messaging.destination.name',
  USER_ID: 'user.id',
  USER_ROLES: 'user.roles',
  ERROR_TYPE: 'error.type',
  VCS_REPOSITORY_NAME: 'vcs.repository.name',
  GEN_AI_OPERATION_NAME: 'gen_ai.operation.name',
  GEN_AI_PROVIDER_NAME: 'gen_ai.provider.name',
  GEN_AI_REQUEST_MODEL: 'gen_ai.request.model',
  GEN_AI_RESPONSE_MODEL: 'gen_ai.response.model',
  GEN_AI_USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  GEN_AI_USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
} as const);

/**
 * The `sightline.*` namespace: attributes for which no semantic convention exists.
 * | name | meaning |
 * |---|---|
 * | `sightline.message.kind` | `command`, `event` or `query` |
 * | `sightline.message.type` | the message type, e.g. `PlaceOrder` |
 * | `sightline.message.causation_id` | id of the message that caused this one |
 * | `sightline.aggregate.type` / `.id` / `.version` | the aggregate a step ran on (version: integer) |
 * | `sightline.saga.name` / `.id` / `.step` | the saga instance and step |
 * | `sightline.principal.kind` | `user` or `service` |
 * | `sightline.team` / `sightline.department` / `sightline.tenant.id` | attribution of the principal |
 * | `sightline.project` | business project the work belongs to |
 * | `sightline.gen_ai.cost.usd` | estimated cost of one AI call, US dollars |
 */
export const SightlineAttributes = Object.freeze({
  MESSAGE_KIND: 'sightline.message.kind',
  MESSAGE_TYPE: 'sightline.message.type',
  MESSAGE_CAUSATION_ID: 'sightline.message.causation_id',
  AGGREGATE_TYPE: 'sightline.aggregate.type',
  AGGREGATE_ID: 'sightline.aggregate.id',
  AGGREGATE_VERSION: 'sightline.aggregate.version',
  SAGA_NAME: 'sightline.saga.name',
  SAGA_ID: 'sightline.saga.id',
  SAGA_STEP: 'sightline.saga.step',
  PRINCIPAL_KIND: 'sightline.principal.kind',
  TEAM: 'sightline.team',
  DEPARTMENT: 'sightline.department',
  TENANT_ID: 'sightline.tenant.id',
  PROJECT: 'sightline.project',
  GEN_AI_COST_USD: 'sightline.gen_ai.cost.usd',
} as const);
