/** HMAC-SHA256 signing of the REST calls after the live session token, byte for byte from the reference vectors. */
import { describe, expect, it } from 'vitest';
import { javaBytes, quotePlus, signedRequestAuthorization, signedRequestBaseString } from '../../src/oauth/index.js';
import { credentialsFor, vectors } from './support/vectors.js';

const liveSessionToken = vectors.lst_requests[0]!.derived.live_session_token_b64;

describe.each(vectors.signed_requests)('signed request $name', (testCase) => {
  const credentials = credentialsFor(undefined, { realm: testCase.request.realm });
  const input = {
    method: testCase.request.method,
    url: testCase.request.url,
    nonce: testCase.request.oauth_nonce,
    timestamp: testCase.request.oauth_timestamp,
  };
  // The IBind-master case signs without the query: the client signs the documented form, so it must NOT match there.
  const documentedForm = testCase.reference_server_verdict.query_in_param_list === 'accept';

  it(
    documentedForm
      ? 'reproduces the base string and the header'
      : 'differs from the header IBind master signs (query left out)',
    () => {
      const base = signedRequestBaseString(credentials, input);
      const header = signedRequestAuthorization(credentials, liveSessionToken, input);
      if (documentedForm) {
        expect(base).toBe(testCase.client.base_string);
        expect(header).toBe(testCase.client.authorization_header);
        expect(header).toContain(`oauth_signature="${quotePlus(testCase.client.oauth_signature_b64)}"`);
      } else {
        expect(header).not.toBe(testCase.client.authorization_header);
        // …and without the query it is IBind's base string: the only difference is the query.
        expect(signedRequestBaseString(credentials, { ...input, url: testCase.request.url_in_base_string })).toBe(
          testCase.client.base_string,
        );
      }
    },
  );

  it('never puts realm or a body in the base string', () => {
    const base = signedRequestBaseString(credentials, input);
    expect(base).not.toContain('realm');
    expect(base).not.toContain('publish');
  });
});

describe('percent-encoding and Java byte arrays', () => {
  it.each(vectors.percent_encoding)('encodes $in as Python quote_plus', (row) => {
    expect(quotePlus(row['in']!)).toBe(row['python_quote_plus (IBind)']);
  });

  it.each(vectors.to_byte_array)(
    'writes 0x$int_hex as BigInteger.toByteArray',
    ({ int_hex, ibind_to_byte_array_hex }) => {
      expect(javaBytes(BigInt(`0x${int_hex}`)).toString('hex')).toBe(ibind_to_byte_array_hex);
    },
  );
});
