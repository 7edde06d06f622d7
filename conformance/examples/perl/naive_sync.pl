#!/usr/bin/perl
# A NAIVE Autotask ticket sync job in Perl (SOAP::Lite): what check-client flags, on purpose.
#
#     build/atws-conformance check-client --scenario suspension --trigger-after 1 -- \
#         perl conformance/examples/perl/naive_sync.pl
#
# Same job as good_sync.pl (zone discovery, IntegrationCode, Source and picklist values are
# right), but:
#   * it reads one page of tickets and takes it for all of them: 500 of 1,350 (CC-PAGING);
#   * when a call fails it retries at once, ten times in a row: under a threshold suspension
#     that is hammering (CC-BACKOFF-SUSPENSION);
#   * it never asks getThresholdAndUsageInfo, even when refused (CC-THRESHOLD-MONITOR).
# Expected verdicts: conformance/examples/expected.json.
use strict;
use warnings;
use MIME::Base64 qw(encode_base64);
use POSIX qw(strftime);
use SOAP::Lite;

use constant NS => 'http://autotask.net/ATWS/v1_6/';
$| = 1;
sub say_ { print "[naive-perl] @_\n" }

my $user = $ENV{ATWS_USERNAME};
my $locator = SOAP::Lite->new(proxy => $ENV{ATWS_URL})->default_ns(NS)->on_action(sub { NS . $_[1] });
my $zone_url = $locator->call('getZoneInfo', SOAP::Data->name(UserName => $user))
    ->valueof('//getZoneInfoResult/URL');
my $soap = SOAP::Lite->new(proxy => $zone_url)->default_ns(NS)->on_action(sub { NS . $_[1] })
    ->on_fault(sub { my ($s, $r) = @_; ref $r ? $r : undef });
$soap->transport->http_request->header(
    Authorization => 'Basic ' . encode_base64("$user:$ENV{ATWS_PASSWORD}", ''));
my $header = SOAP::Header->name('AutotaskIntegrations')->attr({ xmlns => NS })
    ->value(\SOAP::Data->name(IntegrationCode => $ENV{ATWS_INTEGRATION_CODE})->type('string'));

# "The API is flaky": retry failed calls at once.
sub call_api {
    my ($op, @args) = @_;
    my @errors;
    for my $attempt (1 .. 10) {
        my $som = $soap->call($op, @args, $header);
        next unless $som;
        @errors = $som->valueof('//Errors/ATWSError/Message');
        return $som unless @errors;
    }
    say_("$op failed: @errors");
    return undef;
}

sub cond { my ($f, $op, $v) = @_; "<field>$f<expression op=\"$op\">$v</expression></field>" }

sub query {
    my ($entity, @conditions) = @_;
    my $sxml = "<queryxml><entity>$entity</entity><query>" . join('', @conditions) . '</query></queryxml>';
    my $som  = call_api('query', SOAP::Data->name(sXML => $sxml)->type('string'));
    return $som ? $som->valueof('//EntityResults/Entity') : ();
}

sub write_entity {
    my ($op, %fields) = @_;
    my @values = (SOAP::Data->name(id => delete $fields{id} // 0)->type('long'));
    push @values, SOAP::Data->name($_ => $fields{$_})->type($fields{$_} =~ /^\d+$/ ? 'int' : 'string')
        for sort keys %fields;
    my $entity = SOAP::Data->name(Entity => \SOAP::Data->value(@values))->attr({ 'xsi:type' => 'Ticket' });
    my $som = call_api($op, SOAP::Data->name(Entities => \SOAP::Data->value($entity)));
    return $som ? $som->valueof('//EntityReturnInfo/EntityId') : undef;
}

# One query "gets all tickets" (it gets the first 500).
my @tickets = query('Ticket', cond('id', 'GreaterThan', 0));
my ($since) = sort { $b cmp $a } map { $_->{LastActivityDate} } @tickets;
say_('tickets: ' . scalar(@tickets));

my ($owner) = query('Account', cond('id', 'Equals', 0));
say_('owner account: ' . ($owner ? $owner->{AccountName} : '?'));

my $due = strftime('%Y-%m-%dT%H:%M:%S', localtime(time + 2 * 86400));
my $id = write_entity('create', AccountID => 0, Title => '[example] Backup failed (naive perl)',
    Status => 1, Priority => 2, Source => 6, DueDateTime => $due);
say_('created ticket ' . ($id // '(failed)'));
write_entity('update', id => $id, AccountID => 0, Title => '[example] Backup failed (naive perl)',
    Status => 8, Priority => 2, DueDateTime => $due) if $id;
my @changed = query('Ticket', cond('LastActivityDate', 'GreaterThan', $since), cond('id', 'GreaterThan', 0));
say_('changed: ' . scalar(@changed));
exit 0;
