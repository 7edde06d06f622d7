<?php
// A NAIVE Autotask ticket sync job in PHP (SoapClient): what check-client flags, on purpose.
//
//     build/atws-conformance check-client -- php conformance/examples/php/naive_sync.php
//
// Same job as good_sync.php (zone discovery, paging and the incremental poll are right), but:
//   * a "report" helper builds its own SoapClient and forgets the AutotaskIntegrations header
//     (CC-INTEGRATION-CODE): its calls fail with "IntegrationCode is invalid.";
//   * the ticket model carries the integration's own reference in ExternalID
//     (CC-EXTERNAL-FIELDS), a field that belongs to the customer;
//   * the update sends the whole model back, filled from the create answer: TicketNumber (not
//     computed yet, so empty; CC-SETTLE: the real number is overwritten) and read-only fields
//     such as CreateDate and LastActivityDate (CC-READONLY).
// Expected verdicts: conformance/examples/expected.json.

declare(strict_types=1);

const NS = 'http://autotask.net/ATWS/v1_6/';
const XSD = 'http://www.w3.org/2001/XMLSchema';

function say(string $msg): void {
    echo "[naive-php] $msg\n";
}

function items($wrapper, string $name): array {
    if ($wrapper === null || !is_object($wrapper) || !isset($wrapper->$name)) {
        return [];
    }
    $v = $wrapper->$name;
    return is_array($v) ? $v : [$v];
}

function cond(string $field, string $op, $value): string {
    return "<field>$field<expression op=\"$op\">$value</expression></field>";
}

$user = getenv('ATWS_USERNAME');
$password = getenv('ATWS_PASSWORD');
$locator = new SoapClient(getenv('ATWS_URL') . '?WSDL', ['cache_wsdl' => WSDL_CACHE_NONE]);
$zoneUrl = $locator->getZoneInfo(['UserName' => $user])->getZoneInfoResult->URL;
$options = ['login' => $user, 'password' => $password, 'authentication' => SOAP_AUTHENTICATION_BASIC,
            'cache_wsdl' => WSDL_CACHE_NONE, 'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
            'location' => $zoneUrl, 'trace' => true];
$client = new SoapClient($zoneUrl . '?WSDL', $options);
$client->__setSoapHeaders([new SoapHeader(NS, 'AutotaskIntegrations',
                                          ['IntegrationCode' => getenv('ATWS_INTEGRATION_CODE')])]);

function query(SoapClient $c, string $entity, string ...$conditions): array {
    $sxml = "<queryxml><entity>$entity</entity><query>" . implode('', $conditions) . '</query></queryxml>';
    $r = $c->query(['sXML' => $sxml])->queryResult;
    foreach (items($r->Errors ?? null, 'ATWSError') as $e) {
        say("query $entity failed: {$e->Message}");
    }
    return items($r->EntityResults ?? null, 'Entity');
}

// Flaw: a second client for reporting, without the AutotaskIntegrations header.
$report = new SoapClient($zoneUrl . '?WSDL', $options);
$accounts = query($report, 'Account', cond('id', 'GreaterThan', 0));
say('report: ' . count($accounts) . ' accounts');

$tickets = [];
$last = 0;
do {
    $page = query($client, 'Ticket', cond('id', 'GreaterThan', $last));
    $tickets = array_merge($tickets, $page);
    $last = $page ? max(array_map(fn($t) => (int)$t->id, $page)) : $last;
} while (count($page) === 500);
$since = max(array_map(fn($t) => (string)$t->LastActivityDate, $tickets));
say('full read: ' . count($tickets) . ' tickets');

// create sends the fields that have a value; update sends the whole record.
function entity(array $model, bool $skipEmpty) {
    $o = new stdClass();
    $o->id = $model['id'];
    foreach ($model as $k => $v) {
        if ($k !== 'id' && !($skipEmpty && $v === '')) {
            $o->$k = is_int($v) ? new SoapVar($v, XSD_INT, 'int', XSD) : new SoapVar((string)$v, XSD_STRING, 'string', XSD);
        }
    }
    return new SoapVar($o, SOAP_ENC_OBJECT, 'Ticket', NS);
}

// The ticket "model": every field the integration knows, sent as a whole on every write.
$model = ['id' => 0, 'AccountID' => 0, 'Title' => '[example] VPN down (naive php)', 'Status' => 1,
          'Priority' => 2, 'Source' => 6, 'DueDateTime' => date('Y-m-d\TH:i:s', time() + 2 * 86400),
          'ExternalID' => 'SYNC-' . time(),  // flaw: our own reference in a customer field
          'TicketNumber' => '', 'CreateDate' => '', 'LastActivityDate' => ''];
$r = $client->create(['Entities' => ['Entity' => [entity($model, true)]]])->createResult;
$created = items($r->EntityResults ?? null, 'Entity')[0] ?? null;
if (!$created) {
    say('create failed');
    exit(1);
}
// Flaw: the model is refreshed from the create answer, computed fields and all.
foreach (array_keys($model) as $k) {
    $model[$k] = isset($created->$k) ? $created->$k : $model[$k];
}
$model['id'] = (int)$created->id;
say("created ticket {$model['id']}");

$model['Title'] .= ' (on site)';
$model['Status'] = 8;
$r = $client->update(['Entities' => ['Entity' => [entity($model, false)]]])->updateResult;
say('update: ReturnCode ' . $r->ReturnCode);

$changed = query($client, 'Ticket', cond('LastActivityDate', 'GreaterThan', $since), cond('id', 'GreaterThan', 0));
say('incremental sync: ' . count($changed) . ' changed ticket(s), number now "' . ($changed[0]->TicketNumber ?? '') . '"');
exit(0);
