<?php
// A well-behaved Autotask ticket sync job in PHP (SoapClient; Debian php-cli + php-soap).
//
//     build/atws-conformance check-client -- php conformance/examples/php/good_sync.php
//
// Reads ATWS_URL (zone-neutral endpoint), ATWS_USERNAME, ATWS_PASSWORD, ATWS_INTEGRATION_CODE.
// The job: find the user's zone, check the usage, read the Ticket field metadata, read every
// ticket once (paging by id), create a ticket, read it back, update it, then fetch only what
// changed since the full read. It follows every check-client rule (conformance/examples/README.md).

declare(strict_types=1);

const NS = 'http://autotask.net/ATWS/v1_6/';
const PAGE = 500;
// Picklist values, never labels (the labels change with the tenant's language).
const STATUS_NEW = 1;
const STATUS_IN_PROGRESS = 8;
const PRIORITY_MEDIUM = 2;

class Fatal extends Exception {}

function say(string $msg): void {
    echo "[good-php] $msg\n";
}

function cond(string $field, string $op, $value): string {
    $v = htmlspecialchars((string)$value, ENT_QUOTES | ENT_XML1, 'UTF-8');
    return "<field>$field<expression op=\"$op\">$v</expression></field>";
}

// A list from a SoapClient "ArrayOfX" wrapper.
function items($wrapper, string $name): array {
    if ($wrapper === null || !is_object($wrapper) || !isset($wrapper->$name)) {
        return [];
    }
    $v = $wrapper->$name;
    return is_array($v) ? $v : [$v];
}

class Autotask {
    private SoapClient $client;
    public string $zoneUrl;

    public function __construct(private string $neutralUrl, private string $user,
                                private string $password, string $code) {
        $this->zoneUrl = $this->discoverZone();
        $this->client = new SoapClient($this->zoneUrl . '?WSDL', [
            'login' => $user, 'password' => $password,
            'authentication' => SOAP_AUTHENTICATION_BASIC, 'trace' => true,
            'exceptions' => true, 'cache_wsdl' => WSDL_CACHE_NONE,
            'features' => SOAP_SINGLE_ELEMENT_ARRAYS, 'connection_timeout' => 30,
            'location' => $this->zoneUrl,
        ]);
        $this->client->__setSoapHeaders([new SoapHeader(NS, 'AutotaskIntegrations',
                                                        ['IntegrationCode' => $code])]);
    }

    // getZoneInfo needs no credentials: a plain client on the zone-neutral endpoint.
    private function discoverZone(): string {
        $locator = new SoapClient($this->neutralUrl . '?WSDL', ['cache_wsdl' => WSDL_CACHE_NONE]);
        $info = $locator->getZoneInfo(['UserName' => $this->user])->getZoneInfoResult;
        if ((int)$info->ErrorCode !== 0 || empty($info->URL)) {
            throw new Fatal("getZoneInfo does not know the user {$this->user}");
        }
        say("zone URL for {$this->user}: {$info->URL}");
        return $info->URL;
    }

    private function status(): int {
        $h = (string)$this->client->__getLastResponseHeaders();
        return preg_match('#^HTTP/\S+\s+(\d+)#', $h, $m) ? (int)$m[1] : 0;
    }

    // [calls in the last hour, threshold]; getThresholdAndUsageInfo does not count.
    public function usage(): array {
        $r = $this->raw('getThresholdAndUsageInfo', []);
        $msg = items($r->getThresholdAndUsageInfoResult->EntityReturnInfoResults, 'EntityReturnInfo')[0]->Message ?? '';
        return preg_match('/ThresholdOfExternalRequest: (\d+);.*numberOfExternalRequest: (\d+);/', $msg, $m)
            ? [(int)$m[2], (int)$m[1]] : [0, 1];
    }

    private function raw(string $op, array $args) {
        try {
            return $this->client->__soapCall($op, [$args]);
        } catch (SoapFault $f) {
            if ($this->status() === 401) {
                throw new Fatal("API user {$this->user}: password refused or expired (HTTP 401)");
            }
            throw $f;
        }
    }

    // One call with the back-off and recovery the API asks for; returns the xxxResult.
    public function call(string $op, array $args) {
        $pause = 5;
        for ($attempt = 0; $attempt < 8; $attempt++) {
            $r = $this->raw($op, $args)->{$op . 'Result'};
            $errors = array_map(fn($e) => $e->Message, items($r->Errors ?? null, 'ATWSError'));
            if (!$errors) {
                return $r;
            }
            $text = implode(' ', $errors);
            if (str_contains($text, 'API call threshold')) {
                [$used, $limit] = $this->usage();
                say("$op: suspended ($used of $limit calls); waiting {$pause} s");
                sleep($pause);
                $pause *= 2;
            } elseif (str_contains($text, 'Thread Threshold Exceeded')) {
                sleep(1);
            } elseif (str_contains($text, 'belongs to zone')) {
                $this->zoneUrl = $this->discoverZone();
                $this->client->__setLocation($this->zoneUrl);
            } else {
                throw new Fatal("$op: $text");
            }
        }
        throw new Fatal("$op: still failing after retries");
    }

    public function query(string $entity, string ...$conditions): array {
        $sxml = "<queryxml><entity>$entity</entity><query>" . implode('', $conditions) . '</query></queryxml>';
        return items($this->call('query', ['sXML' => $sxml])->EntityResults ?? null, 'Entity');
    }

    // Every matching row: 500 at a time, each page continuing after the largest id.
    public function queryAll(string $entity, string ...$conditions): array {
        $rows = [];
        $last = 0;
        while (true) {
            $page = $this->query($entity, ...array_merge($conditions, [cond('id', 'GreaterThan', $last)]));
            $rows = array_merge($rows, $page);
            if (count($page) < PAGE) {
                return $rows;
            }
            $last = max(array_map(fn($r) => (int)$r->id, $page));
        }
    }

    public function fieldInfo(string $entity): array {
        $r = $this->raw('GetFieldInfo', ['psObjectType' => $entity]);
        return items($r->GetFieldInfoResult ?? null, 'Field');
    }

    // Writes one entity built from [field => value]; returns its id.
    public function write(string $op, string $type, array $fields): int {
        $o = new stdClass();
        $o->id = $fields['id'] ?? 0;
        unset($fields['id']);
        foreach ($fields as $k => $v) {
            $o->$k = is_int($v) ? new SoapVar($v, XSD_INT, 'int', 'http://www.w3.org/2001/XMLSchema')
                                : new SoapVar($v, XSD_STRING, 'string', 'http://www.w3.org/2001/XMLSchema');
        }
        $entity = new SoapVar($o, SOAP_ENC_OBJECT, $type, NS);
        $r = $this->call($op, ['Entities' => ['Entity' => [$entity]]]);
        return (int)items($r->EntityReturnInfoResults, 'EntityReturnInfo')[0]->EntityId;
    }
}

function main(): int {
    foreach (['ATWS_URL', 'ATWS_USERNAME', 'ATWS_PASSWORD', 'ATWS_INTEGRATION_CODE'] as $k) {
        if (!getenv($k)) {
            fwrite(STDERR, "set $k\n");
            return 2;
        }
    }
    $source = (int)(getenv('EXAMPLE_TICKET_SOURCE') ?: 6);  // Insource; configure your own
    $at = new Autotask(getenv('ATWS_URL'), getenv('ATWS_USERNAME'), getenv('ATWS_PASSWORD'),
                       getenv('ATWS_INTEGRATION_CODE'));
    [$used, $limit] = $at->usage();
    say("threshold usage: $used of $limit calls in the last hour");

    // The picklist values we use must exist here (by value).
    $values = [];
    foreach ($at->fieldInfo('Ticket') as $f) {
        foreach (items($f->PicklistValues ?? null, 'PickListValue') as $p) {
            $values[$f->Name][(int)$p->Value] = true;
        }
    }
    foreach ([['Status', STATUS_NEW], ['Status', STATUS_IN_PROGRESS], ['Priority', PRIORITY_MEDIUM],
              ['Source', $source]] as [$name, $v]) {
        if (!isset($values[$name][$v])) {
            throw new Fatal("Ticket.$name has no value $v in this database");
        }
    }

    $tickets = $at->queryAll('Ticket');
    $since = max(array_map(fn($t) => (string)$t->LastActivityDate, $tickets));
    say('full read: ' . count($tickets) . " tickets, newest activity $since");

    $due = date('Y-m-d\TH:i:s', time() + 2 * 86400);
    $id = $at->write('create', 'Ticket', ['AccountID' => 0, 'Title' => '[example] VPN down (php)',
        'Status' => STATUS_NEW, 'Priority' => PRIORITY_MEDIUM, 'Source' => $source, 'DueDateTime' => $due]);
    $number = null;
    for ($i = 0; $i < 6 && !$number; $i++) {
        $rows = $at->query('Ticket', cond('id', 'Equals', $id));
        $number = $rows[0]->TicketNumber ?? null;
        if (!$number) {
            sleep(1);  // computed fields settle shortly after the create
        }
    }
    say("created ticket $id, number $number");

    $at->write('update', 'Ticket', ['id' => $id, 'AccountID' => 0, 'Title' => '[example] VPN down (php, on site)',
        'Status' => STATUS_IN_PROGRESS, 'Priority' => PRIORITY_MEDIUM, 'DueDateTime' => $due]);

    $changed = $at->queryAll('Ticket', cond('LastActivityDate', 'GreaterThan', $since));
    $ids = array_map(fn($t) => (int)$t->id, $changed);
    say('incremental sync: ' . count($changed) . ' changed ticket(s)');
    if (!in_array($id, $ids, true)) {
        throw new Fatal("the changed tickets do not include $id");
    }
    say('done');
    return 0;
}

try {
    exit(main());
} catch (Fatal $e) {
    fwrite(STDERR, '[good-php] stopped: ' . $e->getMessage() . "\n");
    exit(1);
}
