import { Type } from '@sinclair/typebox'

/** RFC 9457 problem+json as the hub sends it (OpenAPI documentation of error replies). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable HUB_ERR_* code' }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String(), rule: Type.Optional(Type.String()) }))),
  },
  { additionalProperties: true, $id: undefined },
)
