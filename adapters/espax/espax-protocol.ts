/**
 * ESPA-X protocol constants (protocols.md §3.2): message names, RSP-CODE/RSP-REASON pairs,
 * value enums and the length and character limits of the fields the server sends. A table
 * file: the codec, the session machine and the adapter share it.
 */

export const ESPAX_NAMESPACE = 'http://ns.espa-x.org/espa-x';
export const ESPAX_VERSION = '1.00';

/** Every child of the root that ESPA-X 1.00 defines. */
export const MESSAGE_NAMES = [
  'REQ.LOGIN',
  'RSP.LOGIN',
  'REQ.HEARTBEAT',
  'RSP.HEARTBEAT',
  'REQ.LOGOUT',
  'RSP.LOGOUT',
  'REQ.S-CONDITION',
  'RSP.S-CONDITION',
  'REQ.S-PARAMETERS',
  'RSP.S-PARAMETERS',
  'REQ.P-START',
  'RSP.P-START',
  'REQ.P-STOP',
  'RSP.P-STOP',
  'REQ.P-GETSTAT',
  'RSP.P-GETSTAT',
  'IND.ERROR',
  'IND.S-SYSTEM',
  'IND.P-STARTED',
  'IND.P-STATUS',
  'IND.P-EVENT',
  'IND.P-ENDED',
  'IND.P-SYNC',
  'CMD.SHUTDOWN',
  'PROPRIETARY',
] as const;
export type MessageName = (typeof MESSAGE_NAMES)[number];

/** The requests a client may send; each has the response `RSP.<same>`. */
export type RequestName = Extract<MessageName, `REQ.${string}`>;
export type ResponseName = Extract<MessageName, `RSP.${string}`>;

export function isMessageName(s: string): s is MessageName {
  return (MESSAGE_NAMES as readonly string[]).includes(s);
}

/** The response element that answers `req` (REQ.P-START → RSP.P-START). */
export function responseTo(req: RequestName): ResponseName {
  return `RSP.${req.slice(4)}` as ResponseName;
}

export const RSP_REASONS = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  450: 'Duplicate',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  600: 'Invalid header',
  601: 'Not wellformed',
  602: 'Invalid message',
} as const;
export type RspCode = keyof typeof RSP_REASONS;

export type Health = 'OK' | 'No data' | 'Problem detected' | 'Out of service';
/** S-LOAD values (not listed in protocols.md; taken from the community XSD, see espa-x.xsd). */
export type Load = 'Overload' | 'Full' | 'Heavy' | 'Medium' | 'Low' | 'No' | 'Normal' | 'Unknown';
export type ProcessStatus = 'Prepared' | 'Queued' | 'Active' | 'Conversation setup' | 'Conversation' | 'Postprocessing';
export type EndReason = 'Finished' | 'Aborted' | 'Client' | 'Server' | 'Operator' | 'Failure';
export type ProcessResult =
  | 'None'
  | 'Positive'
  | 'Negative'
  | 'Positive confirmed'
  | 'Conversation'
  | 'Conversation-Stop'
  | 'Conversation-Note'
  | 'Conversation-Prio';
export type EventStatus = 'Queued' | 'Processing' | 'Completed';
export type EventResult =
  | 'None'
  | 'Off duty'
  | 'Busy'
  | 'No answer'
  | 'Not reached'
  | 'Wrong behaviour'
  | 'Reached'
  | 'Accepted'
  | 'Rejected'
  | 'Conversation';
export type Direction = 'Inbound' | 'Outbound';
export type ProcessDetails = 'No' | 'Process' | 'Results' | 'All';
export const PROCESS_MASKS = ['Prepared', 'Queued', 'Active', 'Conversation', 'Postprocessing', 'All'] as const;
export type ShutdownReason = 'Normal' | 'Service' | 'Reboot' | 'New data' | 'System error' | 'Unspecified';
export type ShutdownMode = 'Immediate' | 'Quick' | 'Slow' | 'New data' | 'System error' | 'Unspecified';

/** Limits of a text field: at most `max` characters, and only those `allowed` (if given). */
export interface FieldLimit {
  readonly max: number;
  /** Matches one allowed character; others are dropped on encode. */
  readonly allowed?: RegExp;
}

const PHONE = /[0-9+\-/()*#]/;
const CLIP = /[0-9*#]/;

/** The text fields the server sends, with their §3.2 limits. */
export const FIELD_LIMITS = {
  'LI-SERVER': { max: 30 },
  'LI-SERVERSW': { max: 30 },
  'RSP-INFO': { max: 256 },
  'CP-PR-REF': { max: 32 },
  'CP-GROUPID': { max: 12 },
  'CP-PHONENO': { max: 24, allowed: PHONE },
  'CP-CBCKNO': { max: 24, allowed: PHONE },
  'SP-PR-NAME': { max: 30 },
  'SP-ENDINFO': { max: 256 },
  'SS-NETW-NO': { max: 16, allowed: CLIP },
  'SS-NETW-NAME': { max: 24 },
  'SS-KEY': { max: 1, allowed: CLIP },
} as const satisfies Record<string, FieldLimit>;
export type LimitedField = keyof typeof FIELD_LIMITS;
