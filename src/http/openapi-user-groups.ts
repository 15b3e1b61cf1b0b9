/**
 * The user groups and permissions part of the OpenAPI document (src/http/identity-routes.ts):
 * user groups (permission sets) and the permission tree, under the tag `users` of
 * ./openapi-users.ts. What the identity parts share is in ./openapi-identity.ts. Spread into
 * src/http/openapi.ts.
 */
import { PERMISSION_IDS } from '../domain/permissions.ts';
import type { ParameterObject, PathItemObject, ResponseObject, SchemaObject } from './openapi.ts';
import {
  etag,
  id,
  ifMatchParam,
  ignoredVersion,
  permissions,
  trimmed,
  version,
  versionedBodyErrors,
  versionedErrors,
} from './openapi-identity.ts';
import { json, problem, ref, response, schema, storeErrors } from './openapi-parts.ts';

const schemas: Record<string, SchemaObject> = {
  UserGroup: {
    type: 'object',
    required: ['id', 'name', 'description', 'permissions', 'version'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
      permissions: { type: 'array', items: { type: 'string', enum: [...PERMISSION_IDS] } },
      version,
    },
  },
  UserGroupList: {
    type: 'object',
    required: ['groups'],
    additionalProperties: false,
    properties: { groups: { type: 'array', items: schema('UserGroup') } },
  },
  UserGroupInput: {
    type: 'object',
    description:
      'The whole group. Permissions the caller does not hold are refused as `validation` (422, "you cannot grant ' +
      'more than you hold", `errors` at `/permissions/<i>`), not 403. The Administrator group keeps every ' +
      'permission (409).',
    required: ['name', 'permissions'],
    additionalProperties: false,
    properties: {
      id: { ...id, description: 'Optional; when given it must be the id in the path.' },
      name: trimmed(200, 'The group’s name.'),
      description: { type: 'string', maxLength: 1000, default: '' },
      permissions,
      version: ignoredVersion,
    },
    examples: [
      {
        name: 'Night desk',
        description: 'Sees alarms and the protocol.',
        permissions: ['operation.alarms.view', 'operation.protocol'],
      },
    ],
  },
  PermissionInfo: {
    type: 'object',
    required: ['id', 'label', 'section', 'origin'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', enum: [...PERMISSION_IDS] },
      label: { type: 'string', description: 'English; the UI translates. `›` separates the levels of the tree.' },
      section: { type: 'string', enum: ['General', 'Operation', 'Administration', 'System'] },
      origin: {
        type: 'string',
        enum: ['guidelines', 'tocsin'],
        description: '`guidelines`: a node of the security guidelines’ tree; `tocsin`: an addition the API needs.',
      },
    },
  },
  PermissionNode: {
    description: 'A node of the tree: a permission (leaf) or a heading with children.',
    oneOf: [
      {
        type: 'object',
        required: ['id', 'label', 'origin'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', enum: [...PERMISSION_IDS] },
          label: { type: 'string' },
          origin: { type: 'string', enum: ['guidelines', 'tocsin'] },
        },
      },
      {
        type: 'object',
        required: ['label', 'children'],
        additionalProperties: false,
        properties: {
          label: { type: 'string' },
          children: { type: 'array', minItems: 1, items: schema('PermissionNode') },
        },
      },
    ],
  },
  Permissions: {
    type: 'object',
    required: ['permissions', 'tree'],
    additionalProperties: false,
    properties: {
      permissions: { type: 'array', items: schema('PermissionInfo'), description: 'Every permission, in tree order.' },
      tree: {
        type: 'array',
        items: schema('PermissionNode'),
        description: 'Sections (General, Operation, Administration, System), then headings, then permissions.',
      },
    },
  },
};

const parameters: Record<string, ParameterObject> = {
  UserGroupId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'The user group id.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    example: 'example-group',
  },
};

const versionedGroup = (description: string): ResponseObject => ({
  description,
  headers: etag,
  content: json(schema('UserGroup')),
});

const paths: Record<string, PathItemObject> = {
  '/api/v1/user-groups': {
    get: {
      operationId: 'listUserGroups',
      summary: 'List user groups',
      description: 'Each group is a set of permissions.',
      tags: ['users'],
      responses: { '200': { description: 'Every group.', content: json(schema('UserGroupList')) }, ...storeErrors },
    },
  },
  '/api/v1/user-groups/{id}': {
    parameters: [ref('parameters', 'UserGroupId')],
    put: {
      operationId: 'putUserGroup',
      summary: 'Create or replace a user group',
      description:
        'With If-Match, only a group still at that version (`"0"`: only a new group): a change made meanwhile ' +
        'by someone else is refused (412), not overwritten. Recorded in the access log.',
      tags: ['users'],
      parameters: [ifMatchParam],
      requestBody: { required: true, content: json(schema('UserGroupInput')) },
      responses: {
        '200': versionedGroup('Replaced.'),
        '201': versionedGroup('Created.'),
        ...versionedBodyErrors,
        '409': problem('The Administrator group would lose a permission (`conflict`).'),
        '422': problem(
          'The id or the body is invalid (`validation`; `errors` lists every problem), including permissions the ' +
            'caller does not hold ("you cannot grant more than you hold").',
        ),
        ...storeErrors,
      },
    },
    get: {
      operationId: 'getUserGroup',
      summary: 'Read a user group',
      tags: ['users'],
      responses: {
        '200': versionedGroup('The group.'),
        '404': problem('No such user group (`not-found`).'),
        '422': response('IdentityInvalidId'),
        ...storeErrors,
      },
    },
    delete: {
      operationId: 'deleteUserGroup',
      summary: 'Delete a user group',
      description:
        'Only a group no user belongs to, and with If-Match only one still at that version; the Administrator ' +
        'group stays. Recorded in the access log.',
      tags: ['users'],
      parameters: [ifMatchParam],
      responses: {
        '204': { description: 'Deleted.' },
        ...versionedErrors,
        '404': problem('No such user group (`not-found`).'),
        '409': problem('Users still belong to the group, or it is the Administrator group (`conflict`).'),
        '422': response('IdentityInvalidId'),
        ...storeErrors,
      },
    },
  },
  '/api/v1/permissions': {
    get: {
      operationId: 'listPermissions',
      summary: 'The permission tree',
      description:
        'Every permission with its label, as a list and as the security guidelines’ tree (for a UI that edits user ' +
        'groups). The same for everyone.',
      tags: ['users'],
      responses: { '200': { description: 'The permissions.', content: json(schema('Permissions')) } },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const userGroupsApi = { paths, schemas, parameters } as const;
