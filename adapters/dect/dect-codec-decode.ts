/**
 * OM AXI decoding (dect-codec.ts's decodeAxi), pure: from an element tree to a typed message.
 * Lenient: unknown names come back as `Unknown`, unknown attributes are ignored; a known
 * message without an attribute it needs throws `Missing` (dect-codec-attrs.ts), which decodeAxi
 * turns into `ok: false`. Provisioning events go to dect-codec-pp.ts.
 */
import type {
  AxiElement,
  AxiEvent,
  AxiMessage,
  AxiRequest,
  ConfirmElement,
  MessageRef,
  OutgoingMessage,
  PPStateFields,
  ReceivedMessage,
  ResponseFields,
  SubscribeEntry,
} from './dect-codec.ts';
import { child, compact, int, Missing, reader } from './dect-codec-attrs.ts';
import { decodeProvisioning, PROVISIONING_EVENTS } from './dect-codec-pp.ts';

function responseFields(el: AxiElement): ResponseFields {
  const a = reader(el);
  return {
    seq: a.int('seq'),
    errCode: a.str('errCode'),
    info: a.str('info'),
    bad: a.str('bad'),
    maxLen: a.int('maxLen'),
  };
}

function ppState(el: AxiElement): PPStateFields {
  const a = reader(el);
  return {
    onHook: a.bool('onHook'),
    silentCharging: a.bool('silentCharging'),
    batteryLevel: a.int('batteryLevel'),
    swVersion: a.str('swVersion'),
    callState: a.str('callState'),
    registered: a.bool('registered'),
    regServerType: a.str('regServerType'),
    regServerAddr: a.str('regServerAddr'),
    regServerPort: a.int('regServerPort'),
    isInCharger: a.bool('isInCharger'),
    isUsbConnected: a.bool('isUsbConnected'),
  };
}

function messageRef(el: AxiElement): MessageRef {
  const a = reader(el);
  return { sendTime: a.needInt('sendTime'), id: a.needInt('id'), toAddr: a.needAddr('toAddr') };
}

/** Decodes one element into its message; throws `Missing` when a known message lacks what it needs. */
export function decodeElement(el: AxiElement): AxiMessage {
  const a = reader(el);
  switch (el.name) {
    // Requests
    case 'Open':
      return { type: 'Open', seq: a.needInt('seq'), username: a.needStr('username'), password: a.needStr('password') };
    case 'Subscribe':
      return {
        type: 'Subscribe',
        seq: a.needInt('seq'),
        entries: el.children.filter((c) => c.name === 'e').map(subscribeEntry),
      };
    case 'Ping':
      return { type: 'Ping', seq: a.needInt('seq'), timeStamp: a.needInt('timeStamp') };
    case 'SendMessage':
      return sendMessage(el);
    case 'DeleteMessage':
    case 'CancelMessage':
      return { type: el.name, seq: a.needInt('seq'), ...messageRef(el) };
    case 'GetPPState':
    case 'RequestPositionInfo':
      return { type: el.name, seq: a.needInt('seq'), ppn: a.needInt('ppn') };
    case 'GetDECTRegDomain':
      return { type: 'GetDECTRegDomain', seq: a.needInt('seq') };
    case 'SetDECTRegDomain':
      return { type: 'SetDECTRegDomain', seq: a.needInt('seq'), regDomain: a.needStr('regDomain') };
    // Responses
    case 'OpenResp':
      return compact({
        type: 'OpenResp',
        ...responseFields(el),
        protocolVersion: a.int('protocolVersion'),
        ommVersion: a.str('ommVersion'),
        axiVersion: a.str('axiVersion'),
        ommAxiSpecVersion: a.str('ommAxiSpecVersion'),
        ommStbState: a.str('ommStbState'),
      });
    case 'SubscribeResp':
      return compact({ type: 'SubscribeResp', ...responseFields(el), eventType: a.str('eventType') });
    case 'PingResp':
      return compact({ type: 'PingResp', ...responseFields(el), timeStamp: a.int('timeStamp') });
    case 'SendMessageResp':
    case 'DeleteMessageResp':
    case 'CancelMessageResp':
    case 'RequestPositionInfoResp':
      return compact({ type: el.name, ...responseFields(el) });
    case 'GetPPStateResp':
      return compact({ type: 'GetPPStateResp', ...responseFields(el), ppn: a.int('ppn'), ...ppState(el) });
    case 'GetDECTRegDomainResp':
    case 'SetDECTRegDomainResp':
      return compact({ type: el.name, ...responseFields(el), regDomain: a.str('regDomain') });
    // Events
    case 'EventMessageProgress':
      return compact({ type: 'EventMessageProgress', ...messageRef(el), event: a.needStr('event'), ppn: a.int('ppn') });
    case 'EventMessageConfirmation':
      return compact({
        type: 'EventMessageConfirmation',
        ...messageRef(el),
        fromAddr: a.addr('fromAddr'),
        confTime: a.int('confTime'),
        confirmation: a.needStr('confirmation'),
      });
    case 'EventMessageQueueEmpty':
      return { type: 'EventMessageQueueEmpty', ppn: a.needInt('ppn') };
    case 'EventAlarmTrigger':
      return compact({
        type: 'EventAlarmTrigger',
        trigger: a.needStr('trigger'),
        sendTime: a.int('sendTime'),
        id: a.int('id'),
        ppn: a.int('ppn'),
        uid: a.int('uid'),
        fromAddr: a.addr('fromAddr'),
        toAddr: a.addr('toAddr'),
        dialSuffix: a.str('dialSuffix'),
        content: a.str('content'),
      });
    case 'EventAlarmCallProgress':
      return compact({
        type: 'EventAlarmCallProgress',
        state: a.needStr('state'),
        ppn: a.int('ppn'),
        trigger: a.str('trigger'),
        id: a.int('id'),
        destAddr: a.addr('destAddr'),
      });
    case 'EventMessageSend': {
      const msg = child(el, 'msg');
      if (msg === undefined) throw new Missing('EventMessageSend: no <msg> element');
      return compact({ type: 'EventMessageSend', alwaysIndirect: a.bool('alwaysIndirect'), msg: receivedMessage(msg) });
    }
    case 'EventPPState':
      return compact({ type: 'EventPPState', ppn: a.needInt('ppn'), ...ppState(el) });
    case 'EventPPTransaction':
      return compact({
        type: 'EventPPTransaction',
        trType: a.needStr('trType'),
        ppn: a.needInt('ppn'),
        rfpId: a.int('rfpId'),
      });
    case 'EventPositionInfo':
      return {
        type: 'EventPositionInfo',
        ppn: a.needInt('ppn'),
        visible: el.children.flatMap((c) => {
          const v = reader(c);
          const rfpId = v.int('id');
          return c.name === 'vis' && rfpId !== undefined ? [compact({ rfpId, rssiAvg: v.int('rssiAvg') })] : [];
        }),
      };
    case 'EventRFPState':
      return rfpState(el);
    default:
      if (PROVISIONING_EVENTS.has(el.name)) return decodeProvisioning(el);
      return { type: 'Unknown', name: el.name, attributes: el.attrs };
  }
}

function subscribeEntry(e: AxiElement): SubscribeEntry {
  const a = reader(e);
  const cmd = a.needStr('cmd');
  if (cmd !== 'On' && cmd !== 'Off') throw new Missing(`Subscribe: cmd '${cmd}' is neither On nor Off`);
  return compact({
    cmd,
    eventType: a.needStr('eventType'),
    ppn: a.int('ppn'),
    uid: a.int('uid'),
    rfpId: a.int('rfpId'),
    omm: a.int('omm'),
    trigger: a.str('trigger'),
    scheme: a.str('scheme'),
  });
}

function sendMessage(el: AxiElement): AxiRequest {
  const m = child(el, 'msg');
  if (m === undefined) throw new Missing('SendMessage: no <msg> element');
  const a = reader(m);
  const choices = m.children.filter((c) => c.name === 'confirm' || c.name === 'confirmReq');
  const msg: OutgoingMessage = compact({
    sendTime: a.needInt('sendTime'),
    id: a.needInt('id'),
    toAddr: a.needAddr('toAddr'),
    toName: a.str('toName'),
    fromAddr: a.addr('fromAddr'),
    fromName: a.str('fromName'),
    callbackAddr: a.addr('callbackAddr'),
    callbackName: a.str('callbackName'),
    priority: a.str('priority') ?? 'Normal',
    popUp: a.bool('popUp'),
    content: a.str('content') ?? '',
    signallingVolume: a.int('signallingVolume'),
    vibraCall: a.bool('vibraCall'),
    ringerTone: a.bool('ringerTone'),
    melody: a.str('melody'),
    confirmations: choices.map((c) => c.text.trim()),
  });
  const first = choices[0];
  return compact({
    type: 'SendMessage',
    seq: reader(el).needInt('seq'),
    msg,
    confirmElement: first === undefined ? undefined : (first.name as ConfirmElement),
  });
}

function receivedMessage(m: AxiElement): ReceivedMessage {
  const a = reader(m);
  return compact({
    sendTime: a.int('sendTime'),
    id: a.int('id'),
    ppn: a.int('ppn'),
    uid: a.int('uid'),
    fromAddr: a.needAddr('fromAddr'),
    fromName: a.str('fromName'),
    toAddr: a.addr('toAddr'),
    toName: a.str('toName'),
    priority: a.str('priority'),
    folder: a.str('folder'),
    content: a.str('content') ?? '',
  });
}

/** mitel-api reads the id and state from `<id>` and `<rfp>` children; python clients see attributes. */
function rfpState(el: AxiElement): AxiEvent {
  const rfp = child(el, 'rfp');
  const attributes = { ...el.attrs, ...(rfp?.attrs ?? {}) };
  const merged: AxiElement = { ...el, attrs: attributes };
  const a = reader(merged);
  const rfpId = a.int('id') ?? int(child(el, 'id')?.text);
  if (rfpId === undefined) throw new Missing("EventRFPState: missing or invalid 'id'");
  return compact({
    type: 'EventRFPState',
    rfpId,
    connected: a.bool('connected'),
    syncState: a.str('syncState'),
    attributes,
  });
}
