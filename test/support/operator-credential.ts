import { headers, type MsgHdrs } from '@nats-io/nats-core';
import { OPERATOR_NONCE_HEADER, OPERATOR_SIGNATURE_HEADER, OPERATOR_TIMESTAMP_HEADER, signOperatorRequest } from '@iam/contracts';
import { TEST_OPERATOR_KEY } from './credentials';

/** NATS headers carrying a valid operator credential for `body` on `subject` (what iamctl sends). */
export function operatorHeaders(subject: string, body: Uint8Array, key: string = TEST_OPERATOR_KEY): MsgHdrs {
  const credential = signOperatorRequest(key, subject, body);
  const h = headers();
  h.set(OPERATOR_TIMESTAMP_HEADER, credential.timestamp);
  h.set(OPERATOR_NONCE_HEADER, credential.nonce);
  h.set(OPERATOR_SIGNATURE_HEADER, credential.signature);
  return h;
}
