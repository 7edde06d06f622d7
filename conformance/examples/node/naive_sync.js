#!/usr/bin/env node
// A NAIVE Autotask ticket sync job in Node.js (npm `soap`): what check-client flags, on purpose.
//
//     build/atws-conformance check-client --scenario german --scenario threshold-75 -- \
//         node conformance/examples/node/naive_sync.js
//
// Same job as good_sync.js (zone discovery, IntegrationCode, paging and the incremental poll are
// right), but:
//   * it closes the ticket by looking up the English label "Complete" in GetFieldInfo and, when
//     the label is not there (a German tenant says "Abgeschlossen"), sends the label itself
//     (CC-PICKLIST-VALUE);
//   * it creates the ticket without a Source (CC-TICKET-SOURCE);
//   * it refreshes the newest tickets with Promise.all, six queries at once, while every answer
//     is held back: the API refuses the fourth and later (CC-THREAD-LIMIT) and the burst ignores
//     the added latency (CC-BACKOFF-LATENCY);
//   * it never asks getThresholdAndUsageInfo although everything is slow (CC-THRESHOLD-MONITOR).
// Expected verdicts: conformance/examples/expected.json.
'use strict';

const soap = require('soap');

const NS = 'http://autotask.net/ATWS/v1_6/';
const log = (msg) => console.log(`[naive-node] ${msg}`);
const cond = (field, op, value) => `<field>${field}<expression op="${op}">${value}</expression></field>`;
const list = (wrapper, name) => {
  if (!wrapper || !wrapper[name]) return [];
  return Array.isArray(wrapper[name]) ? wrapper[name] : [wrapper[name]];
};
const plain = (v) => (v && typeof v === 'object' && '$value' in v ? v.$value : v);

async function main() {
  const env = process.env;
  const locator = await soap.createClientAsync(`${env.ATWS_URL}?WSDL`);
  const [zi] = await locator.getZoneInfoAsync({ UserName: env.ATWS_USERNAME });
  const zoneUrl = zi.getZoneInfoResult.URL;
  const client = await soap.createClientAsync(`${zoneUrl}?WSDL`);
  client.setSecurity(new soap.BasicAuthSecurity(env.ATWS_USERNAME, env.ATWS_PASSWORD));
  client.addSoapHeader(`<AutotaskIntegrations xmlns="${NS}"><IntegrationCode>${env.ATWS_INTEGRATION_CODE}</IntegrationCode></AutotaskIntegrations>`);
  client.setEndpoint(zoneUrl);

  const query = async (entity, ...conditions) => {
    const sXML = `<queryxml><entity>${entity}</entity><query>${conditions.join('')}</query></queryxml>`;
    const [r] = await client.queryAsync({ sXML });
    for (const e of list(r.queryResult.Errors, 'ATWSError')) log(`query ${entity} failed: ${e.Message}`);
    return list(r.queryResult.EntityResults, 'Entity');
  };
  const write = async (op, fields) => {
    const entity = { attributes: { xsi_type: { type: 'Ticket', xmlns: NS } }, id: 0, ...fields };
    const [r] = await client[`${op}Async`]({ Entities: { Entity: [entity] } });
    const res = r[`${op}Result`];
    for (const e of list(res.Errors, 'ATWSError')) log(`${op} failed: ${e.Message}`);
    const info = list(res.EntityReturnInfoResults, 'EntityReturnInfo')[0];
    return info ? Number(info.EntityId) : null;
  };

  // Picklist "values" looked up by English label.
  const [fi] = await client.GetFieldInfoAsync({ psObjectType: 'Ticket' });
  const status = list(fi.GetFieldInfoResult, 'Field').find((f) => f.Name === 'Status');
  const byLabel = {};
  for (const p of list(status.PicklistValues, 'PickListValue')) byLabel[p.Label] = p.Value;

  const tickets = [];
  let last = 0;
  for (;;) {
    const page = await query('Ticket', cond('id', 'GreaterThan', last));
    tickets.push(...page);
    if (page.length < 500) break;
    last = Math.max(...page.map((t) => Number(plain(t.id))));
  }
  const since = tickets.map((t) => String(plain(t.LastActivityDate))).sort().pop();
  log(`full read: ${tickets.length} tickets`);

  // Six detail queries at once, while every answer is held back.
  const newest = tickets.slice(-6).map((t) => Number(plain(t.id)));
  const details = await Promise.all(newest.map((id) => query('Ticket', cond('id', 'Equals', id))));
  log(`refreshed ${details.filter((d) => d.length).length} of ${newest.length} tickets`);

  const due = new Date(Date.now() + 2 * 86400e3).toISOString().slice(0, 19);
  const id = await write('create', { AccountID: 0, Title: '[example] Mail server slow (naive node)',
    Status: 1, Priority: 2, DueDateTime: due }); // no Source
  log(`created ticket ${id}`);

  const complete = byLabel.Complete || 'Complete'; // "the API will know what we mean"
  await write('update', { id, AccountID: 0, Title: '[example] Mail server slow (naive node)',
    Status: complete, Priority: 2, DueDateTime: due });

  const changed = await query('Ticket', cond('LastActivityDate', 'GreaterThan', since), cond('id', 'GreaterThan', 0));
  log(`incremental sync: ${changed.length} changed ticket(s)`);
}

main().then(() => process.exit(0), (e) => {
  console.error(`[naive-node] crashed: ${e.stack}`);
  process.exit(1);
});
