#!/usr/bin/perl
# A well-behaved Autotask ticket sync job in Perl with SOAP::Lite (Debian libsoap-lite-perl).
#
#     build/atws-conformance check-client -- perl conformance/examples/perl/good_sync.pl
#
# Reads ATWS_URL (zone-neutral endpoint), ATWS_USERNAME, ATWS_PASSWORD, ATWS_INTEGRATION_CODE.
# The job: find the user's zone, check the usage, read the Ticket field metadata, read every
# ticket once (paging by id), create a ticket, read it back, update it, then fetch only what
# changed since the full read. It backs off when the API suspends the database and follows
# every check-client rule (conformance/examples/README.md).
use strict;
use warnings;
use MIME::Base64 qw(encode_base64);
use POSIX qw(strftime);
use SOAP::Lite;

use constant NS                 => 'http://autotask.net/ATWS/v1_6/';
use constant PAGE               => 500;
use constant STATUS_NEW         => 1;    # picklist values, never labels
use constant STATUS_IN_PROGRESS => 8;
use constant PRIORITY_MEDIUM    => 2;
my $SOURCE = $ENV{EXAMPLE_TICKET_SOURCE} || 6;    # Insource; configure your integration's own

$| = 1;
sub say_ { print "[good-perl] @_\n" }
sub fatal { print STDERR "[good-perl] stopped: @_\n"; exit 1 }

for my $k (qw(ATWS_URL ATWS_USERNAME ATWS_PASSWORD ATWS_INTEGRATION_CODE)) {
    fatal("set $k") unless $ENV{$k};
}
my $user = $ENV{ATWS_USERNAME};

# A SOAP::Lite client for one endpoint; faults come back as SOAP::SOM objects, not as die.
sub client {
    my ($url, $with_auth) = @_;
    my $soap = SOAP::Lite->new(proxy => $url, readable => 0)->default_ns(NS)
        ->on_action(sub { NS . $_[1] })->on_fault(sub { my ($s, $r) = @_; ref $r ? $r : undef });
    if ($with_auth) {
        my $token = encode_base64("$user:$ENV{ATWS_PASSWORD}", '');
        $soap->transport->http_request->header(Authorization => "Basic $token");
    }
    return $soap;
}

sub discover_zone {
    my $som = client($ENV{ATWS_URL}, 0)->call('getZoneInfo', SOAP::Data->name(UserName => $user));
    my $url = $som ? $som->valueof('//getZoneInfoResult/URL') : undef;
    fatal("getZoneInfo does not know $user") unless $url;
    say_("zone URL for $user: $url");
    return $url;
}

my $zone_url = discover_zone();
my $soap     = client($zone_url, 1);
my $header   = SOAP::Header->name('AutotaskIntegrations')->attr({ xmlns => NS })
    ->value(\SOAP::Data->name(IntegrationCode => $ENV{ATWS_INTEGRATION_CODE})->type('string'));

# One raw call; HTTP 401 ends the job (retrying cannot bring an expired password back).
sub raw {
    my ($op, @args) = @_;
    my $som = $soap->call($op, @args, $header);
    my $status = $soap->transport->status || '';
    fatal("API user $user: password refused or expired ($status)") if $status =~ /^401/;
    fatal("$op: $status") unless $som;
    return $som;
}

# (calls in the last hour, threshold); getThresholdAndUsageInfo does not count.
sub usage {
    my $msg = raw('getThresholdAndUsageInfo')->valueof('//EntityReturnInfo/Message') || '';
    return $msg =~ /ThresholdOfExternalRequest: (\d+);.*numberOfExternalRequest: (\d+);/
        ? ($2, $1) : (0, 1);
}

# One call with the back-off and recovery the API asks for.
sub call_api {
    my ($op, @args) = @_;
    my $pause = 5;
    for my $attempt (1 .. 8) {
        my $som    = raw($op, @args);
        my @errors = $som->fault ? ($som->faultstring) : $som->valueof('//Errors/ATWSError/Message');
        return $som unless @errors;
        my $text = join ' ', @errors;
        if ($text =~ /API call threshold/) {
            my ($used, $limit) = usage();
            say_("$op: suspended ($used of $limit calls); waiting $pause s");
            sleep $pause;
            $pause *= 2;
        } elsif ($text =~ /Thread Threshold Exceeded/) {
            sleep 1;
        } elsif ($text =~ /belongs to zone/) {
            $zone_url = discover_zone();
            $soap->proxy($zone_url);
        } else {
            fatal("$op: $text");
        }
    }
    fatal("$op: still failing after retries");
}

sub cond { my ($f, $op, $v) = @_; "<field>$f<expression op=\"$op\">$v</expression></field>" }

sub query {
    my ($entity, @conditions) = @_;
    my $sxml = "<queryxml><entity>$entity</entity><query>" . join('', @conditions) . '</query></queryxml>';
    my $som  = call_api('query', SOAP::Data->name(sXML => $sxml)->type('string'));
    return $som->valueof('//EntityResults/Entity');
}

# Every matching row: 500 at a time, each page continuing after the largest id.
sub query_all {
    my ($entity, @conditions) = @_;
    my (@rows, $last);
    $last = 0;
    while (1) {
        my @page = query($entity, @conditions, cond('id', 'GreaterThan', $last));
        push @rows, @page;
        return @rows if @page < PAGE;
        for (@page) { $last = $_->{id} if $_->{id} > $last }
    }
}

sub write_entity {
    my ($op, $type, %fields) = @_;
    my $id = delete $fields{id} // 0;
    my @values = (SOAP::Data->name(id => $id)->type('long'));
    for my $k (sort keys %fields) {
        my $v = $fields{$k};
        push @values, SOAP::Data->name($k => $v)->type($v =~ /^-?\d+$/ ? 'int' : 'string');
    }
    my $entity = SOAP::Data->name(Entity => \SOAP::Data->value(@values))->attr({ 'xsi:type' => $type });
    my $som = call_api($op, SOAP::Data->name(Entities => \SOAP::Data->value($entity)));
    return $som->valueof('//EntityReturnInfo/EntityId');
}

my ($used, $limit) = usage();
say_("threshold usage: $used of $limit calls in the last hour");

# The picklist values we use must exist here (by value).
my %values;
for my $f (raw('GetFieldInfo', SOAP::Data->name(psObjectType => 'Ticket'))->valueof('//Field')) {
    my $list = $f->{PicklistValues} && $f->{PicklistValues}{PickListValue};
    next unless $list;
    $values{ $f->{Name} }{ $_->{Value} } = 1 for (ref $list eq 'ARRAY' ? @$list : ($list));
}
for my $need (['Status', STATUS_NEW], ['Status', STATUS_IN_PROGRESS], ['Priority', PRIORITY_MEDIUM],
              ['Source', $SOURCE]) {
    fatal("Ticket.$need->[0] has no value $need->[1]") unless $values{ $need->[0] }{ $need->[1] };
}

my @tickets = query_all('Ticket');
my ($since) = sort { $b cmp $a } map { $_->{LastActivityDate} } @tickets;
say_("full read: " . scalar(@tickets) . " tickets, newest activity $since");

my $due = strftime('%Y-%m-%dT%H:%M:%S', localtime(time + 2 * 86400));
my $id = write_entity('create', 'Ticket', AccountID => 0, Title => '[example] Backup failed (perl)',
    Status => STATUS_NEW, Priority => PRIORITY_MEDIUM, Source => $SOURCE, DueDateTime => $due);
my $number;
for (1 .. 6) {
    my ($row) = query('Ticket', cond('id', 'Equals', $id));
    $number = $row && $row->{TicketNumber};
    last if $number;
    sleep 1;    # computed fields settle shortly after the create
}
say_("created ticket $id, number " . ($number // '(not yet)'));

write_entity('update', 'Ticket', id => $id, AccountID => 0, Title => '[example] Backup failed (perl, on site)',
    Status => STATUS_IN_PROGRESS, Priority => PRIORITY_MEDIUM, DueDateTime => $due);

my @changed = query_all('Ticket', cond('LastActivityDate', 'GreaterThan', $since));
say_("incremental sync: " . scalar(@changed) . " changed ticket(s)");
fatal("the changed tickets do not include $id") unless grep { $_->{id} == $id } @changed;
say_('done');
exit 0;
