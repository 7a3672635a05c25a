// Test oracle for tests/protocol/signature_oracle_test.cpp: Twilio's own
// RequestValidator (npm "twilio", webhooks.js) signs and validates cases.
//
// stdin:  [{"authToken": "...", "url": "...", "params": [["name", "value"], ...],
//           "signature": "<ours, optional>"}, ...]
// stdout: [{"signature": "<getExpectedTwilioSignature>",
//           "accepts": <validateRequest(authToken, signature, url, params) | null>}, ...]
//
// A repeated name becomes an array value, as Express's urlencoded parser
// delivers it to twilio.validateRequest.
"use strict";

const twilio = require("twilio");

function toParams(pairs) {
  const params = {};
  for (const [name, value] of pairs) {
    if (!Object.prototype.hasOwnProperty.call(params, name)) {
      params[name] = value;
    } else if (Array.isArray(params[name])) {
      params[name].push(value);
    } else {
      params[name] = [params[name], value];
    }
  }
  return params;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const out = cases.map((c) => {
    const params = toParams(c.params || []);
    const signature = twilio.getExpectedTwilioSignature(c.authToken, c.url, params);
    const accepts =
      typeof c.signature === "string"
        ? twilio.validateRequest(c.authToken, c.signature, c.url, params)
        : null;
    return { signature, accepts };
  });
  process.stdout.write(JSON.stringify(out) + "\n");
});
