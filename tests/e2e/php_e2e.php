<?php
// End-to-end test of the mock with PHP's SoapClient (Debian php-cli + php-soap).
//
//     php tests/e2e/php_e2e.php http://127.0.0.1:PORT/atservices/1.6/atws.asmx
//
// The same scenario as atws_checks.py (zeep, suds): zone discovery, metadata, one query per
// QueryXML operator, paging through every ticket with id > last, and the error paths. Prints
// `ok <step>` per step; exits 1 at the first failed check.
//
// Queries are judged by what a client can verify on its own: a "sample" (the first 500 tickets)
// is fetched once; for a filtered query every returned row must satisfy the operator's
// predicate, and the returned rows with id <= max(sample ids) must be exactly the sample rows
// that satisfy it (rows come back in id order, so those are always on the first page).

declare(strict_types=1);

const NS = 'http://autotask.net/ATWS/v1_6/';
const ZONE5_USER = 'api@contoso.example';
const ZONE5_CI = 29683500;
const ZONE18_USER = 'api@beispiel.example';
const ZONE18_CI = 29684100;
const PASSWORD = 'sandbox';
const INTEGRATION_CODE = 'SANDBOX-INTEGRATION';
const PAGE = 500;
const MIN_TICKETS = 1200;
const THRESHOLD_RE = '/^ThresholdOfExternalRequest: (\d+); TimeframeOfLimitation: 60; numberOfExternalRequest: (\d+);$/';

class CheckFailed extends Exception {}

function check(bool $cond, string $message): void {
    if (!$cond) {
        throw new CheckFailed($message);
    }
}

function ok(string $step): void {
    echo "ok $step\n";
}

// --- QueryXML --------------------------------------------------------------------------------

function x(string $s): string {
    return htmlspecialchars($s, ENT_QUOTES | ENT_XML1, 'UTF-8');
}

function field(string $name, string $op, $value = null, bool $udf = false): string {
    $attr = $udf ? ' udf="true"' : '';
    $text = $value === null ? '' : x((string)$value);
    return "<field$attr>" . x($name) . "<expression op=\"$op\">$text</expression></field>";
}

function condition(array $criteria, ?string $operator = null): string {
    $attr = $operator ? " operator=\"$operator\"" : '';
    return "<condition$attr>" . implode('', $criteria) . '</condition>';
}

function queryxml(string $entity, array $criteria): string {
    return "<queryxml><entity>$entity</entity><query>" . implode('', $criteria) . '</query></queryxml>';
}

// --- values ----------------------------------------------------------------------------------

// A SoapClient "array of" wrapper -> a PHP list (SOAP_SINGLE_ELEMENT_ARRAYS keeps lists lists).
function items($wrapper, string $name): array {
    if ($wrapper === null || !is_object($wrapper) || !isset($wrapper->$name)) {
        return [];
    }
    $v = $wrapper->$name;
    return is_array($v) ? $v : [$v];
}

// Date-times travel as "2026-11-02T09:00:00.12" (no offset); compare them as microseconds.
function dt_value(string $s): int {
    check((bool)preg_match('/^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?$/', trim($s), $m),
          "not a date-time value: $s");
    $t = new DateTimeImmutable($m[1] . 'T' . $m[2], new DateTimeZone('UTC'));
    $frac = isset($m[3]) ? (int)str_pad(substr($m[3], 1, 6), 6, '0') : 0;
    return $t->getTimestamp() * 1000000 + $frac;
}

function coerce(?string $type, $v) {
    if ($v === null) {
        return null;
    }
    switch (strtolower($type ?? 'string')) {
        case 'integer': case 'long': case 'short':
            return (int)$v;
        case 'datetime':
            return is_string($v) ? $v : (string)$v;
        case 'boolean':
            return is_bool($v) ? $v : in_array(strtolower((string)$v), ['true', '1'], true);
        case 'double': case 'decimal': case 'float':
            return (float)$v;
        default:
            return (string)$v;
    }
}

function short(array $row): string {
    $keep = array_intersect_key($row, array_flip(['id', 'Status', 'Priority', 'Title', 'CreateDate']));
    return json_encode($keep);
}

// --- the client ------------------------------------------------------------------------------

class Session {
    public SoapClient $client;
    public string $address;

    public function __construct(string $zoneUrl, string $user, string $password, ?string $code) {
        $this->client = new SoapClient($zoneUrl . '?WSDL', [
            'login' => $user, 'password' => $password, 'authentication' => SOAP_AUTHENTICATION_BASIC,
            'trace' => true, 'exceptions' => true, 'cache_wsdl' => WSDL_CACHE_NONE,
            'features' => SOAP_SINGLE_ELEMENT_ARRAYS, 'connection_timeout' => 30,
        ]);
        if ($code !== null) {
            $this->client->__setSoapHeaders([new SoapHeader(NS, 'AutotaskIntegrations',
                                                            ['IntegrationCode' => $code])]);
        }
        $this->address = wsdl_address($zoneUrl, $user, $password);
    }

    public function call(string $op, array $args = []) {
        return $this->client->__soapCall($op, [$args]);
    }

    public function fieldInfo(string $entity): array {
        $r = $this->call('GetFieldInfo', ['psObjectType' => $entity]);
        return items($r->GetFieldInfoResult ?? null, 'Field');
    }

    // query -> [ReturnCode, rows, error messages]; a row is [field => raw value, 'UDF' => [...]].
    public function query(string $sxml): array {
        $r = $this->call('query', ['sXML' => $sxml])->queryResult;
        $rows = [];
        foreach (items($r->EntityResults ?? null, 'Entity') as $e) {
            $row = ['UDF' => []];
            foreach (get_object_vars($e) as $name => $value) {
                if ($name === 'UserDefinedFields') {
                    foreach (items($value, 'UserDefinedField') as $u) {
                        $row['UDF'][$u->Name] = $u->Value ?? null;
                    }
                } elseif ($name !== 'Fields' && $value !== null) {
                    $row[$name] = $value;
                }
            }
            $rows[] = $row;
        }
        $errors = array_map(fn($e) => $e->Message, items($r->Errors ?? null, 'ATWSError'));
        return [(int)$r->ReturnCode, $rows, $errors];
    }
}

// The soap:address of the WSDL served at $url?WSDL (SoapClient does not expose it).
function wsdl_address(string $url, string $user, string $password): string {
    $ctx = stream_context_create(['http' => [
        'header' => 'Authorization: Basic ' . base64_encode("$user:$password"),
        'ignore_errors' => true, 'timeout' => 30]]);
    $wsdl = (string)@file_get_contents($url . '?WSDL', false, $ctx);
    return preg_match('#<soap:address\s+location="([^"]+)"#', $wsdl, $m) ? html_entity_decode($m[1]) : '';
}

function zone_info(string $neutralUrl, string $user): object {
    static $clients = [];
    $clients[$neutralUrl] ??= new SoapClient($neutralUrl . '?WSDL', [
        'trace' => true, 'exceptions' => true, 'cache_wsdl' => WSDL_CACHE_NONE]);
    return $clients[$neutralUrl]->getZoneInfo(['UserName' => $user])->getZoneInfoResult;
}

// --- the scenario ----------------------------------------------------------------------------

class Scenario {
    private string $origin;
    private string $zoneUrl = '';
    private Session $s;
    private array $types = [];
    private array $fields = [];
    private array $sample = [];
    private array $statuses = [];
    private array $udfs = [];

    public function __construct(private string $neutralUrl) {
        $p = parse_url($neutralUrl);
        $this->origin = $p['scheme'] . '://' . $p['host'] . (isset($p['port']) ? ':' . $p['port'] : '');
    }

    private function rows(string $sxml, string $what): array {
        [$rc, $raw, $errors] = $this->s->query($sxml);
        check($rc === 1, "$what: ReturnCode $rc, errors " . json_encode($errors));
        check(count($raw) <= PAGE, "$what: " . count($raw) . ' rows, more than ' . PAGE);
        $rows = [];
        foreach ($raw as $r) {
            $row = ['UDF' => $r['UDF']];
            foreach ($r as $name => $v) {
                if ($name !== 'UDF') {
                    $row[$name] = coerce($this->types[$name] ?? ($name === 'id' ? 'long' : null), $v);
                }
            }
            $rows[] = $row;
        }
        $ids = array_column($rows, 'id');
        $sorted = array_values(array_unique($ids));
        sort($sorted);
        check($ids === $sorted, "$what: ids not strictly ascending");
        return $rows;
    }

    private function ticketQuery(string $what, array $criteria, callable $pred, bool $nonempty = true): array {
        $rows = $this->rows(queryxml('Ticket', $criteria), $what);
        check(!$nonempty || count($rows) > 0, "$what: no rows returned");
        foreach ($rows as $r) {
            check($pred($r), "$what: ticket {$r['id']} does not match: " . short($r));
        }
        $top = max(array_column($this->sample, 'id'));
        $expected = [];
        foreach ($this->sample as $r) {
            if ($pred($r)) {
                $expected[] = $r['id'];
            }
        }
        $got = array_values(array_filter(array_column($rows, 'id'), fn($id) => $id <= $top));
        sort($expected);
        check($got === $expected,
              "$what: among ids <= $top, missing " . json_encode(array_slice(array_diff($expected, $got), 0, 10))
              . ', unexpected ' . json_encode(array_slice(array_diff($got, $expected), 0, 10)));
        ok("$what (" . count($rows) . ' rows)');
        return $rows;
    }

    private function pageAll(string $what, array $criteria = []): array {
        $seen = [];
        $last = 0;
        $pages = 0;
        while (true) {
            $rows = $this->rows(queryxml('Ticket', array_merge($criteria, [field('id', 'GreaterThan', $last)])),
                                "$what page " . ($pages + 1));
            $pages++;
            if ($rows) {
                check($rows[0]['id'] > $last, "$what: page starts at {$rows[0]['id']} <= $last");
                foreach ($rows as $r) {
                    $seen[] = $r['id'];
                }
                $last = end($rows)['id'];
            }
            if (count($rows) < PAGE) {
                break;
            }
            check($pages < 1000, "$what: paging does not end");
        }
        check(count($seen) === count(array_unique($seen)), "$what: a row came back twice");
        return [$seen, $pages];
    }

    private function zoneDiscovery(): void {
        $zi = zone_info($this->neutralUrl, ZONE5_USER);
        $want = "{$this->origin}/webservices5/ATServices/1.6/atws.asmx";
        check(($zi->URL ?? null) === $want, "getZoneInfo URL " . json_encode($zi->URL ?? null) . ", expected $want");
        check((int)$zi->ErrorCode === 0, "getZoneInfo ErrorCode {$zi->ErrorCode}");
        check((int)$zi->CI === ZONE5_CI, "getZoneInfo CI {$zi->CI}, expected " . ZONE5_CI);
        check(($zi->WebUrl ?? null) === "{$this->origin}/ww5/",
              'getZoneInfo WebUrl ' . json_encode($zi->WebUrl ?? null) . ", expected {$this->origin}/ww5/");
        ok('getZoneInfo ' . ZONE5_USER . " -> {$zi->URL} CI {$zi->CI}");
        $unknown = zone_info($this->neutralUrl, 'nobody@nowhere.example');
        check((int)$unknown->ErrorCode < 0, "getZoneInfo for an unknown user: ErrorCode {$unknown->ErrorCode}");
        ok('getZoneInfo for an unknown user has a negative ErrorCode');
        $this->zoneUrl = $zi->URL;
        $this->s = new Session($this->zoneUrl, ZONE5_USER, PASSWORD, INTEGRATION_CODE);
        check(strcasecmp($this->s->address, $this->zoneUrl) === 0,
              "zone WSDL soap:address '{$this->s->address}', expected '{$this->zoneUrl}'");
        ok("zone WSDL loaded; its soap:address is the zone URL");
    }

    private function metadata(): void {
        $infos = [];
        foreach (items($this->s->call('getEntityInfo')->GetEntityInfoResult ?? null, 'EntityInfo') as $e) {
            $infos[$e->Name] = $e;
        }
        check(isset($infos['Ticket']), 'GetEntityInfo: no Ticket');
        check($infos['Ticket']->CanQuery === true, 'GetEntityInfo: Ticket CanQuery is not true');
        ok('GetEntityInfo (' . count($infos) . ' entities; Ticket CanQuery)');

        foreach ($this->s->fieldInfo('Ticket') as $f) {
            $this->fields[$f->Name] = $f;
            $this->types[$f->Name] = $f->Type;
        }
        $status = $this->fields['Status'] ?? null;
        check($status !== null, 'GetFieldInfo(Ticket): no Status field');
        check($status->IsPickList === true, 'GetFieldInfo(Ticket): Status is not a picklist');
        $labels = [];
        foreach (items($status->PicklistValues ?? null, 'PickListValue') as $p) {
            $labels[(string)$p->Value] = $p->Label;
        }
        check(($labels['1'] ?? null) === 'New', "Ticket Status 1 is labelled " . json_encode($labels['1'] ?? null));
        $this->statuses = array_map('intval', array_keys($labels));
        sort($this->statuses);
        ok('GetFieldInfo(Ticket) (' . count($this->fields) . ' fields; Status 1 = New)');

        $r = $this->s->call('getUDFInfo', ['psTable' => 'Ticket']);
        foreach (items($r->getUDFInfoResult ?? null, 'Field') as $u) {
            $this->udfs[$u->Name] = $u;
        }
        check(count($this->udfs) > 0, 'getUDFInfo(Ticket) is empty');
        ok('getUDFInfo(Ticket) (' . count($this->udfs) . ' UDFs)');

        $counts = [];
        for ($i = 0; $i < 2; $i++) {
            $r = $this->s->call('getThresholdAndUsageInfo')->getThresholdAndUsageInfoResult;
            $info = items($r->EntityReturnInfoResults ?? null, 'EntityReturnInfo');
            $msg = $info ? (string)$info[0]->Message : '';
            check((bool)preg_match(THRESHOLD_RE, $msg, $m), "getThresholdAndUsageInfo Message '$msg' has the wrong format");
            $counts[] = (int)$m[2];
            if ($i === 0) {  // a counted call in between
                $v = $this->s->call('GetWsdlVersion')->GetWsdlVersionResult ?? '';
                check(is_string($v) && trim($v) !== '', 'GetWsdlVersion ' . json_encode($v));
                ok("GetWsdlVersion $v");
            }
        }
        check($counts[1] > $counts[0], 'numberOfExternalRequest did not grow: ' . json_encode($counts));
        ok("getThresholdAndUsageInfo ({$counts[0]} -> {$counts[1]} calls)");
    }

    private function operators(): void {
        $this->sample = $this->rows(queryxml('Ticket', [field('id', 'GreaterThan', 0)]), 'sample page');
        $s = $this->sample;
        check(count($s) === PAGE, 'sample page has ' . count($s) . ' rows, expected ' . PAGE);
        ok('first 500 tickets (id GreaterThan 0)');
        $ids = array_column($s, 'id');
        $byStatus = array_count_values(array_map(fn($r) => $r['Status'] ?? -1, $s));
        arsort($byStatus);
        check(count($byStatus) >= 2, 'the sample has only one status');
        [$stA, $stB] = array_slice(array_keys($byStatus), 0, 2);

        $this->ticketQuery('Equals (Status)', [field('Status', 'Equals', $stA)],
                           fn($r) => ($r['Status'] ?? null) === $stA);
        $this->ticketQuery('NotEqual (Status)', [field('Status', 'NotEqual', $stA)],
                           fn($r) => isset($r['Status']) && $r['Status'] !== $stA);
        $x = $ids[100];
        $this->ticketQuery('GreaterThan (id)', [field('id', 'GreaterThan', $x)], fn($r) => $r['id'] > $x);
        $this->ticketQuery('LessThan (id)', [field('id', 'LessThan', $x)], fn($r) => $r['id'] < $x);
        $rows = $this->ticketQuery('LessThanOrEquals (id)', [field('id', 'LessThanOrEquals', $x)],
                                   fn($r) => $r['id'] <= $x);
        check(end($rows)['id'] === $x, 'LessThanOrEquals (id): the bound itself is missing');

        // A CreateDate outside 01:00-02:59 (where a DST change makes local times ambiguous).
        $created = [];
        foreach ($s as $r) {
            if (isset($r['CreateDate']) && !in_array((int)substr($r['CreateDate'], 11, 2), [1, 2], true)) {
                $created[] = substr($r['CreateDate'], 0, 19);
            }
        }
        check(count($created) > 0, 'the sample has no usable CreateDate values');
        sort($created);
        $d = str_replace(' ', 'T', $created[intdiv(count($created), 2)]);
        $dv = dt_value($d);
        $this->ticketQuery('GreaterThanorEquals (CreateDate)', [field('CreateDate', 'GreaterThanorEquals', $d)],
                           fn($r) => isset($r['CreateDate']) && dt_value($r['CreateDate']) >= $dv);
        $day = substr($d, 0, 10);
        $this->ticketQuery('IsThisDay (CreateDate)', [field('CreateDate', 'IsThisDay', $day . 'T00:00:00')],
                           fn($r) => isset($r['CreateDate']) && substr($r['CreateDate'], 0, 10) === $day);

        $words = [];
        $titled = [];
        foreach ($s as $r) {
            $title = $r['Title'] ?? '';
            foreach (preg_split('/\s+/', $title) as $w) {
                if (preg_match('/^[A-Za-z]{4,}$/', $w)) {
                    $words[$w] = ($words[$w] ?? 0) + 1;
                }
            }
            if (preg_match('/^[A-Za-z]{3}/', $title)) {
                $titled[] = $r;
            }
        }
        check(count($words) > 0 && count($titled) > 0, 'no usable sample titles');
        arsort($words);
        $word = (string)array_key_first($words);
        $pick = $titled[intdiv(count($titled), 2)];
        $t = $pick['Title'];
        $first = substr($t, 0, 3);
        $parts = preg_split('/\s+/', trim($t));
        $lastWord = end($parts);
        $lo = fn($r) => strtolower($r['Title'] ?? '');
        $this->ticketQuery('BeginsWith (Title)', [field('Title', 'BeginsWith', $first)],
                           fn($r) => str_starts_with($lo($r), strtolower($first)));
        $this->ticketQuery('EndsWith (Title)', [field('Title', 'EndsWith', $lastWord)],
                           fn($r) => str_ends_with($lo($r), strtolower($lastWord)));
        $this->ticketQuery('Contains (Title, other case)', [field('Title', 'Contains', strtoupper($word))],
                           fn($r) => str_contains($lo($r), strtolower($word)));
        $swapped = strtolower($t) === $t ? strtoupper($t) : strtolower($t);
        $this->ticketQuery('Equals (Title, other case)', [field('Title', 'Equals', $swapped)],
                           fn($r) => $lo($r) === strtolower($t));
        $this->ticketQuery('Like (Title, prefix%)', [field('Title', 'Like', $first . '%')],
                           fn($r) => str_starts_with($lo($r), strtolower($first)));
        $this->ticketQuery('NotLike (Title, %word%)', [field('Title', 'NotLike', "%$word%")],
                           fn($r) => isset($r['Title']) && !str_contains($lo($r), strtolower($word)));
        $rows = $this->rows(queryxml('Ticket', [field('Title', 'SoundsLike', $t)]), 'SoundsLike (Title)');
        $got = array_column($rows, 'id');
        check(in_array($pick['id'], $got, true), 'SoundsLike (Title): the ticket whose Title was given is not returned');
        check(count(array_filter($got, fn($id) => $id <= end($ids))) < count($s),
              'SoundsLike (Title): matched every sample ticket');
        ok('SoundsLike (Title) (' . count($rows) . ' rows)');

        $nf = $this->nullableField();
        $this->ticketQuery("IsNull ($nf)", [field($nf, 'IsNull')], fn($r) => !isset($r[$nf]));
        $this->ticketQuery("IsNotNull ($nf)", [field($nf, 'IsNotNull')], fn($r) => isset($r[$nf]));

        $this->ticketQuery('OR condition (Status)',
                           [condition([field('Status', 'Equals', $stA)]),
                            condition([field('Status', 'Equals', $stB)], 'OR')],
                           fn($r) => in_array($r['Status'] ?? null, [$stA, $stB], true));
        $pr = null;
        foreach ($s as $r) {
            if (isset($r['Priority'])) {
                $pr = $r['Priority'];
                break;
            }
        }
        $this->ticketQuery('nested AND/OR (id, Status, Priority)',
                           [field('id', 'GreaterThan', $x),
                            condition([condition([field('Status', 'Equals', $stB)]),
                                       condition([field('Priority', 'Equals', $pr)], 'OR')])],
                           fn($r) => $r['id'] > $x && (($r['Status'] ?? null) === $stB
                                                       || ($r['Priority'] ?? null) === $pr));
        $a = $this->rows(queryxml('Ticket', [field('id', 'greaterthan', $x),
                                             condition([field('Status', 'equals', $stA)], 'and')]),
                         'lower-case operator names');
        $b = $this->rows(queryxml('Ticket', [field('id', 'GreaterThan', $x), field('Status', 'Equals', $stA)]),
                         'canonical operator names');
        check(array_column($a, 'id') === array_column($b, 'id'), 'lower-case operator names give other rows');
        ok('operator names and condition operators are case-insensitive');

        [$name, $value] = $this->udfWithValue();
        $this->ticketQuery("UDF Equals ($name)", [field($name, 'Equals', $value, true)],
                           fn($r) => strtolower((string)($r['UDF'][$name] ?? '')) === strtolower($value));
    }

    // A queryable, non-string Ticket field that is null on some sample rows and set on others.
    private function nullableField(): string {
        $names = array_keys($this->fields);
        sort($names);
        foreach ($names as $name) {
            $f = $this->fields[$name];
            if ($name === 'id' || $f->IsQueryable !== true || strtolower($f->Type) === 'string') {
                continue;
            }
            $nulls = count(array_filter($this->sample, fn($r) => !isset($r[$name])));
            if ($nulls > 0 && $nulls < count($this->sample)) {
                return $name;
            }
        }
        throw new CheckFailed('no queryable Ticket field is null on some sample tickets and set on others');
    }

    private function udfWithValue(): array {
        $counts = [];
        foreach ($this->sample as $r) {
            foreach ($r['UDF'] as $name => $v) {
                if ($v !== null && $v !== '' && isset($this->udfs[$name])) {
                    $key = json_encode([$name, (string)$v]);
                    $counts[$key] = ($counts[$key] ?? 0) + 1;
                }
            }
        }
        check(count($counts) > 0, 'no sample ticket has a UDF value');
        arsort($counts);
        return json_decode((string)array_key_first($counts), true);
    }

    private function paging(): void {
        [$all, $pages] = $this->pageAll('all tickets');
        check(count($all) >= MIN_TICKETS, 'only ' . count($all) . ' tickets, expected >= ' . MIN_TICKETS);
        ok('paged through all ' . count($all) . " tickets in $pages pages (id > last), none lost or repeated");
        $union = [];
        foreach ($this->statuses as $st) {
            [$ids] = $this->pageAll("Status $st", [field('Status', 'Equals', $st)]);
            foreach ($ids as $id) {
                check(!isset($union[$id]), "Status $st: ticket $id also seen under another status");
                $union[$id] = true;
            }
        }
        $u = array_keys($union);
        sort($u);
        $sortedAll = $all;
        sort($sortedAll);
        check($u === $sortedAll, 'per-Status paging: ' . count($u) . ' tickets vs ' . count($all));
        ok('per-Status paging (' . count($this->statuses) . ' statuses) finds the same ' . count($u) . ' tickets');
    }

    private function errors(): void {
        // The WSDL comes from a local copy, so that only the SOAP call meets the wrong password.
        $wsdl = tempnam(sys_get_temp_dir(), 'atws') . '.wsdl';
        $ctx = stream_context_create(['http' => [
            'header' => 'Authorization: Basic ' . base64_encode(ZONE5_USER . ':' . PASSWORD), 'timeout' => 30]]);
        file_put_contents($wsdl, (string)file_get_contents($this->zoneUrl . '?WSDL', false, $ctx));
        $bad = new SoapClient($wsdl, ['login' => ZONE5_USER, 'password' => PASSWORD . '-wrong',
                                      'location' => $this->zoneUrl, 'trace' => true, 'exceptions' => true,
                                      'cache_wsdl' => WSDL_CACHE_NONE]);
        unlink($wsdl);
        $bad->__setSoapHeaders([new SoapHeader(NS, 'AutotaskIntegrations', ['IntegrationCode' => INTEGRATION_CODE])]);
        try {
            $bad->query(['sXML' => queryxml('Ticket', [field('id', 'Equals', 0)])]);
            throw new CheckFailed('a wrong password was accepted');
        } catch (SoapFault $f) {
            $h = (string)$bad->__getLastResponseHeaders();
            $status = preg_match('#^HTTP/\S+ (\d{3})#', $h, $m) ? (int)$m[1] : 0;
            check($f->faultcode === 'HTTP' && ($status === 401 || $f->getMessage() === 'Unauthorized'),
                  "a wrong password: fault {$f->faultcode} '{$f->getMessage()}', HTTP $status; expected 401");
        }
        ok('a wrong password gets HTTP 401');

        foreach (['missing' => null, 'unknown' => 'NOT-A-CODE'] as $label => $code) {
            $sess = new Session($this->zoneUrl, ZONE5_USER, PASSWORD, $code);
            [$rc, $rows, $errors] = $sess->query(queryxml('Ticket', [field('id', 'GreaterThan', 0)]));
            check($rc === -1, "$label IntegrationCode: query ReturnCode $rc, expected -1");
            check(in_array('IntegrationCode is invalid.', $errors, true),
                  "$label IntegrationCode: query errors " . json_encode($errors));
            check(count($rows) === 0, "$label IntegrationCode: query returned rows");
            ok("$label IntegrationCode: query answers ReturnCode -1 'IntegrationCode is invalid.'");
        }
        try {
            $sess->fieldInfo('Ticket');
            throw new CheckFailed('unknown IntegrationCode: GetFieldInfo answered without a fault');
        } catch (SoapFault $f) {
            check(str_contains($f->getMessage(), 'IntegrationCode is invalid.'), "GetFieldInfo fault '{$f->getMessage()}'");
        }
        ok("unknown IntegrationCode: GetFieldInfo answers a soap:Fault 'IntegrationCode is invalid.'");
    }

    private function german(): void {
        $zi = zone_info($this->neutralUrl, ZONE18_USER);
        $want = "{$this->origin}/webservices18/ATServices/1.6/atws.asmx";
        check(($zi->URL ?? null) === $want, 'getZoneInfo(' . ZONE18_USER . ') URL ' . json_encode($zi->URL ?? null));
        check((int)$zi->CI === ZONE18_CI, 'getZoneInfo(' . ZONE18_USER . ") CI {$zi->CI}");
        $sess = new Session($zi->URL, ZONE18_USER, PASSWORD, INTEGRATION_CODE);
        $labels = [];
        foreach ($sess->fieldInfo('Ticket') as $f) {
            if ($f->Name === 'Status') {
                foreach (items($f->PicklistValues ?? null, 'PickListValue') as $p) {
                    $labels[(string)$p->Value] = $p->Label;
                }
            }
        }
        check(($labels['1'] ?? null) === 'Neu', 'German Ticket Status 1 is labelled ' . json_encode($labels['1'] ?? null));
        ok("German tenant (zone 18, CI {$zi->CI}): Ticket Status 1 = Neu");
    }

    public function run(): void {
        $this->zoneDiscovery();
        $this->metadata();
        $this->operators();
        $this->paging();
        $this->errors();
        $this->german();
    }
}

if ($argc !== 2) {
    fwrite(STDERR, "usage: php {$argv[0]} http://HOST:PORT/atservices/1.6/atws.asmx\n");
    exit(2);
}
try {
    (new Scenario($argv[1]))->run();
} catch (CheckFailed $e) {
    fwrite(STDERR, 'FAIL php: ' . $e->getMessage() . "\n");
    exit(1);
} catch (Throwable $e) {
    fwrite(STDERR, 'FAIL php: unexpected ' . get_class($e) . ': ' . $e->getMessage() . "\n" . $e->getTraceAsString() . "\n");
    exit(1);
}
echo "php: all checks passed\n";
