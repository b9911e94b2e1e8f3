// Prints Twilio's segment count for each JSON string read from stdin (one JSON array in, one out).
// Used by tests/unit/test_sms_segments.py to check helpline.sms.segments against Twilio's calculator.
const { SegmentedMessage } = require('sms-segments-calculator');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const texts = JSON.parse(input);
  const out = texts.map((text) => {
    const message = new SegmentedMessage(text);
    return { encoding: message.encodingName, segments: message.segmentsCount };
  });
  process.stdout.write(JSON.stringify(out));
});
