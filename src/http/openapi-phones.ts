/**
 * The phones part of the OpenAPI document (src/http/phone-routes.ts), spread into
 * src/http/openapi.ts.
 */
import { HANDSET_NUMBER } from '../domain/handsets.ts';
import type { PathItemObject, SchemaObject } from './openapi.ts';
import { json, problem, response, schema } from './openapi-parts.ts';

const schemas: Record<string, SchemaObject> = {
  Phone: {
    type: 'object',
    required: ['ppn', 'lastSeen'],
    additionalProperties: false,
    description: 'A handset as the OMM’s events describe it; fields appear once an event has told them.',
    properties: {
      ppn: { type: 'integer', description: 'The handset’s id on the OMM.' },
      number: {
        type: 'string',
        description: 'Its number (without `tel:`): its user’s, or learned from an alarm or message it sent.',
      },
      uid: { type: 'integer', description: 'The OMM user logged on to it.' },
      name: { type: 'string', description: 'The name of that user (OMM provisioning).' },
      language: { type: 'string', description: 'The handset language of that user, e.g. `English`.' },
      model: { type: 'string', description: 'The handset model the OMM detected, e.g. `632d` or `GAP`.' },
      loggedOn: { type: 'boolean', description: 'Logged on (LocReg) or switched off (Detach).' },
      inCharger: { type: 'boolean' },
      batteryLevel: { type: 'integer' },
      rfp: { type: 'integer', description: 'The last base station.' },
      location: { type: 'string', description: 'The place that base station covers (TOCSIN_DECT_LOCATIONS).' },
      lastSeen: { type: 'string', format: 'date-time' },
    },
  },
  PhoneList: {
    type: 'object',
    required: ['link', 'phones'],
    additionalProperties: false,
    properties: {
      link: {
        enum: ['up', 'down', 'none', 'unknown'],
        description:
          '`none`: no DECT link is configured; `unknown`: the link is of an environment the caller does not hold.',
      },
      environment: { type: 'string', description: 'The environment the handsets belong to.' },
      phones: { type: 'array', items: schema('Phone') },
    },
  },
  LocatingAlertRequest: {
    type: 'object',
    additionalProperties: false,
    properties: { text: { type: 'string', minLength: 1, maxLength: 160, description: 'Shown on the handset.' } },
    examples: [{ text: 'Please call the bridge' }],
  },
  DectBand: {
    type: 'object',
    required: ['band', 'bands'],
    additionalProperties: false,
    properties: {
      band: {
        type: ['string', 'null'],
        description: 'The band in force (null: none set, or one Tocsin does not know).',
      },
      bands: { type: 'array', items: { type: 'string' }, description: 'The bands it can switch to.' },
    },
  },
  DectBandRequest: {
    type: 'object',
    required: ['band', 'confirm'],
    additionalProperties: false,
    properties: {
      band: { type: 'string', description: 'e.g. EU (1880–1900 MHz) or US (1920–1930 MHz).' },
      confirm: { const: true, description: 'Switching interrupts DECT service: the caller confirms.' },
    },
    examples: [{ band: 'US', confirm: true }],
  },
  DectBandSwitched: {
    type: 'object',
    required: ['band', 'previous', 'changed', 'confirmed'],
    additionalProperties: false,
    properties: {
      band: { type: ['string', 'null'] },
      previous: { type: ['string', 'null'] },
      changed: { type: 'boolean', description: 'false: the band was in force already; nothing was sent.' },
      confirmed: { type: 'boolean', description: 'Reading the band back after the switch gave the new one.' },
    },
  },
  VisibleBase: {
    type: 'object',
    required: ['rfp'],
    additionalProperties: false,
    properties: {
      rfp: { type: 'integer', description: 'The base station (RFP id).' },
      rssiAvg: { type: 'integer', description: 'Signal strength in dBm, negative; nearer 0 is stronger.' },
      location: { type: 'string', description: 'The place it covers (TOCSIN_DECT_LOCATIONS).' },
    },
  },
  PhonePosition: {
    type: 'object',
    required: ['number', 'ppn', 'best', 'visible', 'at'],
    additionalProperties: false,
    properties: {
      number: { type: 'string' },
      ppn: { type: 'integer' },
      best: {
        oneOf: [schema('VisibleBase'), { type: 'null' }],
        description: 'The strongest base station; null when the handset sees none (off or out of range).',
      },
      visible: { type: 'array', items: schema('VisibleBase'), description: 'Strongest first.' },
      at: { type: 'string', format: 'date-time' },
    },
  },
  LocatingAlertSent: {
    type: 'object',
    required: ['number', 'sent'],
    additionalProperties: false,
    properties: { number: { type: 'string' }, sent: { const: true } },
  },
};

const paths: Record<string, PathItemObject> = {
  '/api/v1/phones': {
    get: {
      operationId: 'listPhones',
      summary: 'The DECT handsets',
      description:
        'The handsets of the DECT link as its events describe them: logged on or off, in the charger, battery, ' +
        'last base station and its place. Empty without a DECT link, and for a caller outside the link’s environment.',
      tags: ['phones'],
      responses: { '200': { description: 'The phones list.', content: json(schema('PhoneList')) } },
    },
  },
  '/api/v1/phones/{number}/locating-alert': {
    parameters: [
      {
        name: 'number',
        in: 'path',
        required: true,
        description: 'The handset’s number.',
        schema: { type: 'string', pattern: HANDSET_NUMBER.source },
        example: '4711',
      },
    ],
    post: {
      operationId: 'locatingAlert',
      summary: 'Ring a handset so that it can be found',
      description:
        'Sends a message with priority LocatingAlert to the handset; recorded in the access log ' +
        '(`phone.locating-alert`).',
      tags: ['phones'],
      requestBody: { required: true, content: json(schema('LocatingAlertRequest')) },
      responses: {
        '202': { description: 'The OMM has queued it.', content: json(schema('LocatingAlertSent')) },
        '400': response('BadRequest'),
        '404': problem('The caller does not hold the environment of the DECT link (`not-found`).'),
        '409': problem('No DECT link is configured, or the OMM refused the message (`conflict`).'),
        '413': response('PayloadTooLarge'),
        '415': response('UnsupportedMediaType'),
        '422': problem('The number or the body is invalid (`validation`).'),
        '503': problem('The DECT link is down (`unavailable`).'),
      },
    },
  },
  '/api/v1/phones/{number}/position': {
    parameters: [
      {
        name: 'number',
        in: 'path',
        required: true,
        description: 'The handset’s number.',
        schema: { type: 'string', pattern: HANDSET_NUMBER.source },
        example: '4711',
      },
    ],
    get: {
      operationId: 'phonePosition',
      summary: 'Where a handset is now',
      description:
        'Asks the OMM for the base stations the handset sees (`RequestPositionInfo`, answered by ' +
        '`EventPositionInfo`; needs the OMM’s locating licence), strongest first with their places; the ' +
        'phones list takes the strongest as the handset’s base station. Locating a person needs the same ' +
        'permission as the locating alert; every request is in the access log (`phone.position`).',
      tags: ['phones'],
      responses: {
        '200': { description: 'The position.', content: json(schema('PhonePosition')) },
        '404': problem(
          'No handset of the phones list has the number, or the caller does not hold the environment of the DECT link (`not-found`).',
        ),
        '409': problem('No DECT link is configured (`conflict`).'),
        '422': problem('The number is invalid (`validation`).'),
        '502': problem('The OMM refused to locate the handset (`bad-gateway`).'),
        '503': problem('The DECT link is down (`unavailable`).'),
        '504': problem('The OMM did not report the position within 10 s (`gateway-timeout`).'),
      },
    },
  },
  '/api/v1/dect/band': {
    get: {
      operationId: 'getDectBand',
      summary: 'The DECT band in force',
      description: 'Reads the OMM’s DECT regulatory domain (`GetDECTRegDomain`).',
      tags: ['phones'],
      responses: {
        '200': { description: 'The band.', content: json(schema('DectBand')) },
        '404': problem('The caller does not hold the environment of the DECT link (`not-found`).'),
        '409': problem('No DECT link is configured, or the OMM refused (`conflict`).'),
        '503': problem('The DECT link is down (`unavailable`).'),
      },
    },
    post: {
      operationId: 'switchDectBand',
      summary: 'Switch the DECT band',
      description:
        'Switches the SIP-DECT system’s DECT band (e.g. EU ↔ US when a ship changes region) with ' +
        '`SetDECTRegDomain`, then reads it back. The caller confirms with `confirm: true`; every attempt is in ' +
        'the access log (`dect.band`). Not confirmed against a real OMM: whether the base stations restart ' +
        '(DECT service, alarms included, may drop for a while).',
      tags: ['phones'],
      requestBody: { required: true, content: json(schema('DectBandRequest')) },
      responses: {
        '200': { description: 'The band after the switch.', content: json(schema('DectBandSwitched')) },
        '400': response('BadRequest'),
        '404': problem('The caller does not hold the environment of the DECT link (`not-found`).'),
        '409': problem('No DECT link is configured, or the OMM refused the switch (`conflict`).'),
        '413': response('PayloadTooLarge'),
        '415': response('UnsupportedMediaType'),
        '422': problem('An unknown band, or `confirm` is not true (`validation`).'),
        '503': problem('The DECT link is down (`unavailable`).'),
      },
    },
  },
};

/** What openapi.ts spreads into its document. */
export const phonesApi = {
  tag: {
    name: 'phones',
    description: 'The DECT link: the phones list, the locating alert, the position on demand and the DECT band.',
  },
  paths,
  schemas,
} as const;
