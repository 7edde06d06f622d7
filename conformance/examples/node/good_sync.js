#!/usr/bin/env node
// A well-behaved Autotask ticket sync job in Node.js with the npm `soap` package.
//
//     (cd conformance/examples/node && npm ci)
//     build/atws-conformance check-client -- node conformance/examples/node/good_sync.js
//
// Reads ATWS_URL (zone-neutral endpoint), ATWS_USERNAME, ATWS_PASSWORD, ATWS_INTEGRATION_CODE.
// The job: find the user's zone, check the usage, read the Ticket field metadata, read every
// ticket once (paging by id), create a ticket, read it back, update it, then fetch only what
// changed since the full read. One call at a time; it follows every check-client rule
// (conformance/examples/README.md).
'use strict';

const soap = require('soap');

const NS = 'http://autotask.net/ATWS/v1_6/';
const PAGE = 500;
// Picklist values, never labels: Status 1 is "New" in English and "Neu" in German.
const STATUS_NEW = 1;
const STATUS_IN_PROGRESS = 8;
const PRIORITY_MEDIUM = 2;
const TICKET_SOURCE = Number(process.env.EXAMPLE_TICKET_SOURCE || 6); // Insource; configure yours

class Fatal extends Error {}

const log = (msg) => console.log(`[good-node] ${msg}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const xmlEscape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cond = (field, op, value) => `<field>${field}<expression op="${op}">${value}</expression></field>`;
const list = (wrapper, name) => {
  if (!wrapper || !wrapper[name]) return [];
  return Array.isArray(wrapper[name]) ? wrapper[name] : [wrapper[name]];
};
// An anyType value as node-soap returns it: a scalar, or {$value, attributes}.
const plain = (v) => (v && typeof v === 'object' && '$value' in v ? v.$value : v);

class Autotask {
  constructor(env) {
    this.env = env;
  }

  async connect() {
    // getZoneInfo needs no credentials: a plain client on the zone-neutral endpoint.
    this.locator = await soap.createClientAsync(`${this.env.ATWS_URL}?WSDL`);
    this.zoneUrl = await this.discoverZone();
    this.client = await soap.createClientAsync(`${this.zoneUrl}?WSDL`);
    this.client.setSecurity(new soap.BasicAuthSecurity(this.env.ATWS_USERNAME, this.env.ATWS_PASSWORD));
    this.client.addSoapHeader(`<AutotaskIntegrations xmlns="${NS}"><IntegrationCode>${
      xmlEscape(this.env.ATWS_INTEGRATION_CODE)}</IntegrationCode></AutotaskIntegrations>`);
    this.client.setEndpoint(this.zoneUrl);
  }

  async discoverZone() {
    const [r] = await this.locator.getZoneInfoAsync({ UserName: this.env.ATWS_USERNAME });
    const info = r.getZoneInfoResult;
    if (Number(info.ErrorCode) !== 0 || !info.URL) throw new Fatal(`getZoneInfo does not know ${this.env.ATWS_USERNAME}`);
    log(`zone URL for ${this.env.ATWS_USERNAME}: ${info.URL}`);
    return info.URL;
  }

  // One raw call; HTTP 401 stops the job (an expired password does not come back by retrying).
  async raw(op, args) {
    try {
      const [r] = await this.client[`${op}Async`](args);
      return r;
    } catch (e) {
      const status = e.response && e.response.status;
      if (status === 401) {
        throw new Fatal(`API user ${this.env.ATWS_USERNAME}: password refused or expired (HTTP 401)`);
      }
      throw e;
    }
  }

  // [calls in the last hour, threshold]; getThresholdAndUsageInfo does not count.
  async usage() {
    const r = await this.raw('getThresholdAndUsageInfo', {});
    const info = list(r.getThresholdAndUsageInfoResult.EntityReturnInfoResults, 'EntityReturnInfo')[0];
    const m = /ThresholdOfExternalRequest: (\d+);.*numberOfExternalRequest: (\d+);/.exec((info && info.Message) || '');
    return m ? [Number(m[2]), Number(m[1])] : [0, 1];
  }

  // One call with the back-off and recovery the API asks for; returns the xxxResult.
  async call(op, args) {
    let pause = 5000;
    for (let attempt = 0; attempt < 8; attempt++) {
      const result = (await this.raw(op, args))[`${op}Result`];
      const errors = list(result.Errors, 'ATWSError').map((e) => e.Message);
      if (errors.length === 0) return result;
      const text = errors.join(' ');
      if (text.includes('API call threshold')) {
        const [used, limit] = await this.usage();
        log(`${op}: suspended (${used} of ${limit} calls); waiting ${pause / 1000} s`);
        await sleep(pause);
        pause *= 2;
      } else if (text.includes('Thread Threshold Exceeded')) {
        await sleep(1000);
      } else if (text.includes('belongs to zone')) {
        this.zoneUrl = await this.discoverZone();
        this.client.setEndpoint(this.zoneUrl);
      } else {
        throw new Fatal(`${op}: ${text}`);
      }
    }
    throw new Fatal(`${op}: still failing after retries`);
  }

  async query(entity, ...conditions) {
    const sXML = `<queryxml><entity>${entity}</entity><query>${conditions.join('')}</query></queryxml>`;
    return list((await this.call('query', { sXML })).EntityResults, 'Entity');
  }

  // Every matching row: 500 at a time, each page continuing after the largest id.
  async queryAll(entity, ...conditions) {
    const rows = [];
    let last = 0;
    for (;;) {
      const page = await this.query(entity, ...conditions, cond('id', 'GreaterThan', last));
      rows.push(...page);
      if (page.length < PAGE) return rows;
      last = Math.max(...page.map((r) => Number(plain(r.id))));
    }
  }

  async write(op, type, fields) {
    const entity = { attributes: { xsi_type: { type, xmlns: NS } }, id: 0, ...fields };
    const result = await this.call(op, { Entities: { Entity: [entity] } });
    return Number(list(result.EntityReturnInfoResults, 'EntityReturnInfo')[0].EntityId);
  }
}

async function main() {
  const env = {};
  for (const k of ['ATWS_URL', 'ATWS_USERNAME', 'ATWS_PASSWORD', 'ATWS_INTEGRATION_CODE']) {
    if (!process.env[k]) throw new Fatal(`set ${k}`);
    env[k] = process.env[k];
  }
  const at = new Autotask(env);
  await at.connect();
  const [used, limit] = await at.usage();
  log(`threshold usage: ${used} of ${limit} calls in the last hour`);
  if (used * 2 >= limit) log('above 50 %: answers are slowed down; one call at a time');

  // The picklist values we use must exist in this database (by value, never by label).
  const info = (await at.raw('GetFieldInfo', { psObjectType: 'Ticket' })).GetFieldInfoResult;
  const values = {};
  for (const f of list(info, 'Field')) {
    values[f.Name] = new Set(list(f.PicklistValues, 'PickListValue').map((p) => Number(p.Value)));
  }
  for (const [name, v] of [['Status', STATUS_NEW], ['Status', STATUS_IN_PROGRESS],
    ['Priority', PRIORITY_MEDIUM], ['Source', TICKET_SOURCE]]) {
    if (!values[name] || !values[name].has(v)) throw new Fatal(`Ticket.${name} has no value ${v}`);
  }

  const tickets = await at.queryAll('Ticket');
  const since = tickets.map((t) => String(plain(t.LastActivityDate))).sort().pop();
  log(`full read: ${tickets.length} tickets, newest activity ${since}`);

  const due = new Date(Date.now() + 2 * 86400e3).toISOString().slice(0, 19);
  const id = await at.write('create', 'Ticket', {
    AccountID: 0, Title: '[example] Mail server slow (node)', Status: STATUS_NEW,
    Priority: PRIORITY_MEDIUM, Source: TICKET_SOURCE, DueDateTime: due,
  });
  let number = null;
  for (let i = 0; i < 6 && !number; i++) {
    const rows = await at.query('Ticket', cond('id', 'Equals', id));
    number = rows.length ? plain(rows[0].TicketNumber) : null;
    if (!number) await sleep(1000); // computed fields settle shortly after the create
  }
  log(`created ticket ${id}, number ${number}`);

  await at.write('update', 'Ticket', {
    id, AccountID: 0, Title: '[example] Mail server slow (node, on site)',
    Status: STATUS_IN_PROGRESS, Priority: PRIORITY_MEDIUM, DueDateTime: due,
  });

  const changed = await at.queryAll('Ticket', cond('LastActivityDate', 'GreaterThan', since));
  log(`incremental sync: ${changed.length} changed ticket(s)`);
  if (!changed.some((t) => Number(plain(t.id)) === id)) throw new Fatal(`the changed tickets do not include ${id}`);
  log('done');
}

main().then(() => process.exit(0), (e) => {
  console.error(`[good-node] stopped: ${e instanceof Fatal ? e.message : e.stack}`);
  process.exit(1);
});
