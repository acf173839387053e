#!/usr/bin/env bash
# The 2016 field report in one command: a fresh recoverlab lab, the report's steps with the
# real aws CLI (a role from IMDS and the IAM user `cfn` each create the seed's stack, both
# alarms forced to ALARM), then further: a real system fault on both instances, `recoverlab
# audit` and `lint`, and the report's fix (update-stack as the user). Prints a side-by-side
# summary; exit 0 only when every expected outcome happened.
#
# Usage: examples/seed-2016/run.sh            (RECOVERLAB_BIN=path overrides build/recoverlab;
#                                              AWS_CLI=path overrides the aws CLI)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${RECOVERLAB_BIN:-$ROOT/build/recoverlab}"
EC2_JSON="$ROOT/tests/fixtures/cfn/ec2.json"
EC2_UPDATE="$ROOT/tests/fixtures/cfn/ec2_update.json"
POWER="arn:aws:iam::aws:policy/PowerUserAccess"
ROLE_STACK="ec2-recoveryalarm-role"
USER_STACK="ec2-recoveryalarm-user"
RENEW="ec2-recoveryalarm-role-RecoveryAlarm-renew"
ERROR_401="(401: AWS was not able to validate the provided access credentials)"

# ---- output helpers -----------------------------------------------------------------------
step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
FAILURES=0
expect() {  # expect WHAT GOT WANT
    if [[ "$2" == "$3" ]]; then
        printf '    ok    %s: %s\n' "$1" "$2"
    else
        printf '    FAIL  %s: got [%s], expected [%s]\n' "$1" "$2" "$3"
        FAILURES=$((FAILURES + 1))
    fi
}
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# ---- the binary and the client ------------------------------------------------------------
if [[ ! -x "$BIN" ]]; then
    step "building recoverlab (make build/recoverlab)"
    make -C "$ROOT" build/recoverlab >/dev/null
fi
AWS="${AWS_CLI:-}"
if [[ -z "$AWS" ]]; then
    AWS="$(command -v aws || true)"
    [[ -n "$AWS" ]] || AWS=/usr/bin/aws
fi
[[ -x "$AWS" ]] || die "no aws CLI found (install awscli or set AWS_CLI)"
command -v python3 >/dev/null || die "python3 is needed to read JSON output"
on_err() {  # on_err LINE COMMAND, with $? still the failed command's status
    local rc=$?
    printf 'run.sh: line %s: %s failed (exit %s)\n' "$1" "$2" "$rc" >&2
}
trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR

# ---- a fresh lab on a free port, stopped and removed on exit ------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/recoverlab-seed.XXXXXX")"
DATA="$TMP/data"
SERVER_PID=""
cleanup() {
    local rc=$?
    trap - ERR
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        local src=0
        wait "$SERVER_PID" 2>/dev/null || src=$?
        if ((src != 0)); then
            printf 'run.sh: the lab exited %s after SIGTERM\n' "$src" >&2
            tail -n 20 "$TMP/server.err" >&2 || true
            ((rc != 0)) || rc=1
        fi
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# nothing of the caller's AWS setup leaks in
for v in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export AWS_PAGER="" AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true NO_PROXY='*'
unset http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY
export AWS_CONFIG_FILE="$TMP/aws-config" AWS_SHARED_CREDENTIALS_FILE="$TMP/aws-credentials"
printf '[default]\nregion = us-east-1\n[profile root]\nregion = us-east-1\n[profile cfn]\nregion = us-east-1\n' \
    >"$AWS_CONFIG_FILE"

step "starting a fresh lab (manual clock, data in $DATA)"
"$BIN" serve --listen 127.0.0.1:0 --data "$DATA" --clock manual \
    >"$TMP/server.out" 2>"$TMP/server.err" </dev/null &
SERVER_PID=$!
URL=""
for _ in $(seq 1 100); do
    URL="$(sed -n 's/^recoverlab listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' \
        "$TMP/server.out" | head -n 1)"
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.err" >&2; die "the server exited"; }
    sleep 0.1
done
[[ -n "$URL" ]] || die "the server did not print its listening line"
info "$(head -n 1 "$TMP/server.out")"
info "client: $AWS ($("$AWS" --version 2>&1 | head -n 1))"
export AWS_ENDPOINT_URL="$URL"
export AWS_DATA_PATH="$DATA/aws-data"  # endpoint rule sets, for clients older than AWS_ENDPOINT_URL

# root's key from the data directory, as profile `root`
sed -n 's/^\(aws_[a-z_]*\) *= *\(.*\)$/\1 = \2/p' "$DATA/credentials" \
    | { echo "[root]"; cat; } >"$AWS_SHARED_CREDENTIALS_FILE"

rl() { "$BIN" "$@" --data "$DATA"; }
advance() { rl clock advance "$1" >/dev/null; }
as_root() { "$AWS" --profile root "$@"; }
as_cfn() { "$AWS" --profile cfn "$@"; }
as_role() {  # the workstation's instance-profile credentials, from its IMDS only
    env -u AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none" \
        AWS_EC2_METADATA_DISABLED=false \
        AWS_EC2_METADATA_SERVICE_ENDPOINT="$URL/_recoverlab/imds/$WORKSTATION/" "$AWS" "$@"
}
jget() {  # jget PYTHON_EXPR < json  (the parsed document is `d`)
    python3 -c 'import json,sys; d=json.load(sys.stdin); r='"$1"'; print(r if r is not None else "")'
}
actions() {  # "COUNT<TAB>newest summary" of an alarm's Action history items
    as_root cloudwatch describe-alarm-history --alarm-name "$1" --history-item-type Action \
        --query '[length(AlarmHistoryItems), AlarmHistoryItems[0].HistorySummary]' --output text
}
last_action() { actions "$1" | cut -f 2-; }
field() {  # field KEY < "KEY<TAB>VALUE" lines
    awk -F '\t' -v k="$1" '$1 == k {print $2}'
}
system_status() {  # "INSTANCE<TAB>status" lines for the instances given
    as_root ec2 describe-instance-status --instance-ids "$@" --include-all-instances \
        --query 'InstanceStatuses[].[InstanceId, SystemStatus.Status]' --output text
}

# ---- 0. root: user cfn, the workstation role and instance ---------------------------------
step "root: IAM user cfn (PowerUserAccess, access key, profile cfn)"
as_root iam create-user --user-name cfn >/dev/null
as_root iam attach-user-policy --user-name cfn --policy-arn "$POWER"
as_root iam create-access-key --user-name cfn --output json >"$TMP/cfn-key.json"
{
    echo "[cfn]"
    echo "aws_access_key_id = $(jget 'd["AccessKey"]["AccessKeyId"]' <"$TMP/cfn-key.json")"
    echo "aws_secret_access_key = $(jget 'd["AccessKey"]["SecretAccessKey"]' <"$TMP/cfn-key.json")"
} >>"$AWS_SHARED_CREDENTIALS_FILE"
rm -f "$TMP/cfn-key.json"
CFN_ARN="$(as_cfn sts get-caller-identity --query Arn --output text)"
expect "profile cfn is" "$CFN_ARN" "arn:aws:iam::123456789012:user/cfn"

step "root: role workstation (PowerUserAccess) in an instance profile on a running instance"
as_root iam create-role --role-name workstation --assume-role-policy-document \
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' \
    >/dev/null
as_root iam attach-role-policy --role-name workstation --policy-arn "$POWER"
as_root iam create-instance-profile --instance-profile-name workstation >/dev/null
as_root iam add-role-to-instance-profile --instance-profile-name workstation \
    --role-name workstation
WORKSTATION="$(as_root ec2 run-instances --image-id ami-374db956 --instance-type t2.micro \
    --iam-instance-profile Name=workstation --query 'Instances[0].InstanceId' --output text)"
advance 1m
info "workstation $WORKSTATION; inside it, credentials come from IMDS:"
CONFIG_LIST="$(as_role configure list)"
# shellcheck disable=SC2001
sed 's/^/    | /' <<<"$CONFIG_LIST"
ROLE_KIND="$(awk '$1 == "access_key" {print $NF}' <<<"$CONFIG_LIST")"
expect "aws configure list (role) access_key type" "$ROLE_KIND" "iam-role"
ROLE_ARN="$(as_role sts get-caller-identity --query Arn --output text)"
expect "the role session is" "$ROLE_ARN" \
    "arn:aws:sts::123456789012:assumed-role/workstation/$WORKSTATION"

# ---- 1-2. the two stacks ------------------------------------------------------------------
step "report step 1: as the role, create-stack $ROLE_STACK (ec2.json)"
as_role cloudformation create-stack --stack-name "$ROLE_STACK" \
    --template-body "file://$EC2_JSON" --query StackId --output text | sed 's/^/    /'
step "report step 2: as cfn, create-stack $USER_STACK (ec2.json)"
as_cfn cloudformation create-stack --stack-name "$USER_STACK" \
    --template-body "file://$EC2_JSON" --query StackId --output text | sed 's/^/    /'
advance 1m
declare -A ALARM IID
for who in role user; do
    stack="ec2-recoveryalarm-$who"
    as_root cloudformation describe-stacks --stack-name "$stack" --output json \
        >"$TMP/stack.json"
    expect "$stack status" "$(jget 'd["Stacks"][0]["StackStatus"]' <"$TMP/stack.json")" \
        CREATE_COMPLETE
    ALARM[$who]="$(jget '{o["OutputKey"]: o["OutputValue"] for o in d["Stacks"][0]["Outputs"]}["RecoveryAlarm"]' <"$TMP/stack.json")"
    IID[$who]="$(jget '{o["OutputKey"]: o["OutputValue"] for o in d["Stacks"][0]["Outputs"]}["InstanceID"]' <"$TMP/stack.json")"
    info "$who: instance ${IID[$who]}, alarm ${ALARM[$who]}"
    # only the alarms may recover these instances
    as_root ec2 modify-instance-maintenance-options --instance-id "${IID[$who]}" \
        --auto-recovery disabled >/dev/null
done

step "report step 5: describe-alarms says nothing about who created each alarm"
DESCRIBED="$(as_root cloudwatch describe-alarms --alarm-names "${ALARM[role]}" \
    "${ALARM[user]}" --output json)"
jget '"\n".join("    " + "  ".join([a["AlarmName"], a["MetricName"], a["Statistic"],
    a["AlarmActions"][0], a["StateValue"]]) for a in d["MetricAlarms"])' <<<"$DESCRIBED"
CREATOR_SHOWN=no
grep -Eq 'workstation|assumed-role|user/cfn' <<<"$DESCRIBED" && CREATOR_SHOWN=yes
expect "describe-alarms names a creator" "$CREATOR_SHOWN" no

# ---- 3. set-alarm-state ALARM on each -----------------------------------------------------
advance 5m  # status checks pass, the alarms see data
step "report step 3: set-alarm-state ALARM \"Manual Update to ALARM\" on each alarm"
for who in role user; do
    as_root cloudwatch set-alarm-state --alarm-name "${ALARM[$who]}" --state-value ALARM \
        --state-reason "Manual Update to ALARM"
done
advance 10s
declare -A FORCED
for who in role user; do
    FORCED[$who]="$(last_action "${ALARM[$who]}")"
    info "$who Action item: ${FORCED[$who]}"
done
expect "role alarm action fails with 401" \
    "$([[ "${FORCED[role]}" == *"$ERROR_401"* ]] && echo yes || echo no)" yes
expect "user alarm action succeeds" \
    "$([[ "${FORCED[user]}" == "Successfully executed action "* ]] && echo yes || echo no)" yes

# ---- further: a real system fault on both instances ---------------------------------------
step "further: both alarms back to OK, then a system fault on both instances"
advance 10m
STATES="$(as_root cloudwatch describe-alarms --alarm-names "${ALARM[role]}" "${ALARM[user]}" \
    --query 'MetricAlarms[].[AlarmName, StateValue]' --output text)"
for who in role user; do
    expect "$who alarm before the fault" "$(field "${ALARM[$who]}" <<<"$STATES")" OK
done
for who in role user; do
    fid="$(rl fault inject "${IID[$who]}" --check system)"
    info "fault $fid on ${IID[$who]} ($who)"
done
advance 6m
advance 4m  # a recovered instance's checks initialize, then pass
declare -A FAULT RECOVERED
STATUSES="$(system_status "${IID[role]}" "${IID[user]}")"
for who in role user; do
    got="$(actions "${ALARM[$who]}")"
    FAULT[$who]="$(cut -f 2- <<<"$got")"
    info "$who newest Action item: ${FAULT[$who]}"
    expect "$who alarm fired by itself: Action items" "$(cut -f 1 <<<"$got")" 2
    st="$(field "${IID[$who]}" <<<"$STATUSES")"
    info "$who instance ${IID[$who]} system status: $st"
    if [[ "$st" == ok ]]; then RECOVERED[$who]=yes; else RECOVERED[$who]="no ($st)"; fi
done
expect "role alarm action on the fault fails with 401" \
    "$([[ "${FAULT[role]}" == *"$ERROR_401"* ]] && echo yes || echo no)" yes
expect "user alarm action on the fault succeeds" \
    "$([[ "${FAULT[user]}" == "Successfully executed action "* ]] && echo yes || echo no)" yes
expect "role instance recovered" "${RECOVERED[role]}" "no (impaired)"
expect "user instance recovered" "${RECOVERED[user]}" yes

# ---- audit and lint -----------------------------------------------------------------------
step "recoverlab audit (expect exit 1: the role's alarm is an error)"
{ rl audit || true; } | sed 's/^/    | /'
AUDIT1_RC=0
rl audit --json >"$TMP/audit1.json" || AUDIT1_RC=$?
expect "audit exit status" "$AUDIT1_RC" 1
AUDIT1_ERRORS="$(jget '" ".join(sorted(f["alarm"] + ":" + f["rule"] for f in d["findings"] if f["severity"] == "error"))' <"$TMP/audit1.json")"
expect "audit errors" "$AUDIT1_ERRORS" "${ALARM[role]}:recover-temporary-creator"
declare -A AUDIT_STATUS CREATOR
for who in role user; do
    # status (error rules) and the creator CloudTrail names, for the summary
    AUDIT_STATUS[$who]="$(NAME="${ALARM[$who]}" jget 'next(
        a["status"] + "".join(" " + f["rule"] for f in a["findings"] if f["severity"] == "error")
        for a in d["alarms"] if a["alarm"] == __import__("os").environ["NAME"])' \
        <"$TMP/audit1.json")"
    CREATOR[$who]="$(NAME="${ALARM[$who]}" jget 'next(
        a.get("creator", {}).get("arn", "?").split(":")[-1]
        for a in d["alarms"] if a["alarm"] == __import__("os").environ["NAME"])' \
        <"$TMP/audit1.json")"
done
expect "CloudTrail creator of the role alarm" "${CREATOR[role]}" "assumed-role/workstation/$WORKSTATION"
expect "CloudTrail creator of the user alarm" "${CREATOR[user]}" "user/cfn"

step "recoverlab lint tests/fixtures/cfn/ec2.json (expect exit 0: two notes and a warning)"
{ "$BIN" lint "$EC2_JSON" || true; } | sed 's/^/    | /'
LINT_RC=0
rl_lint_out="$("$BIN" lint "$EC2_JSON" --json)" || LINT_RC=$?
expect "lint exit status" "$LINT_RC" 0
LINT_RULES="$(jget '" ".join(sorted(f["severity"] + ":" + f["rule"] for f in d["findings"]))' \
    <<<"$rl_lint_out")"
expect "lint findings" "$LINT_RULES" \
    "note:recover-runs-as-deployer note:recover-without-notification warning:recover-on-status-check-failed"

# ---- 4. the report's fix: update-stack as the user ----------------------------------------
step "report step 4: as cfn, update-stack $ROLE_STACK (ec2_update.json)"
as_cfn cloudformation update-stack --stack-name "$ROLE_STACK" \
    --template-body "file://$EC2_UPDATE" --query StackId --output text | sed 's/^/    /'
advance 1m
UPDATED="$(as_cfn cloudformation describe-stacks --stack-name "$ROLE_STACK" \
    --query "Stacks[0].[StackStatus, Outputs[?OutputKey=='RecoveryAlarm'].OutputValue | [0]]" \
    --output text | tr '\t' ' ')"
expect "$ROLE_STACK status, alarm" "$UPDATED" "UPDATE_COMPLETE $RENEW"
expect "alarms left of the old and the new name" \
    "$(as_root cloudwatch describe-alarms --alarm-names "${ALARM[role]}" "$RENEW" \
        --query 'MetricAlarms[].AlarmName' --output text)" "$RENEW"
as_root cloudwatch set-alarm-state --alarm-name "$RENEW" --state-value ALARM \
    --state-reason "Manual Update to ALARM"
advance 10s
RENEW_ACTION="$(last_action "$RENEW")"
info "renewed alarm Action item: $RENEW_ACTION"
expect "the renewed alarm's action succeeds" \
    "$([[ "$RENEW_ACTION" == "Successfully executed action "* ]] && echo yes || echo no)" yes
advance 4m
RENEW_RECOVERED="$(system_status "${IID[role]}" | cut -f 2)"
expect "role instance after the renewed alarm" "$RENEW_RECOVERED" ok

step "recoverlab audit after the fix (expect exit 0)"
{ rl audit || true; } | sed 's/^/    | /'
AUDIT2_RC=0
rl audit --json >"$TMP/audit2.json" || AUDIT2_RC=$?
expect "audit exit status after the fix" "$AUDIT2_RC" 0
expect "audit errors after the fix" \
    "$(jget 'd["summary"]["errors"]' <"$TMP/audit2.json")" 0
AUDIT2_ROLE="$(jget '[a["status"] for a in d["alarms"] if a["alarm"] == "'"$RENEW"'"][0]' \
    <"$TMP/audit2.json")"

# ---- summary ------------------------------------------------------------------------------
short() {  # the Action item as a word
    case "$1" in
        "Successfully executed action "*) echo "Succeeded" ;;
        *"$ERROR_401"*) echo "Failed (401)" ;;
        *) echo "${1:-none}" ;;
    esac
}
step "summary"
printf '    %-28s %-34s %-34s\n' "" "$ROLE_STACK" "$USER_STACK"
printf '    %-28s %-34s %-34s\n' "created by (CloudTrail)" "${CREATOR[role]%/i-*}" "${CREATOR[user]}"
printf '    %-28s %-34s %-34s\n' "set-alarm-state ALARM" "$(short "${FORCED[role]}")" \
    "$(short "${FORCED[user]}")"
printf '    %-28s %-34s %-34s\n' "system fault: action" "$(short "${FAULT[role]}")" \
    "$(short "${FAULT[user]}")"
printf '    %-28s %-34s %-34s\n' "instance recovered?" "${RECOVERED[role]}" "${RECOVERED[user]}"
printf '    %-28s %-34s %-34s\n' "audit" "${AUDIT_STATUS[role]}" "${AUDIT_STATUS[user]}"
printf '    %-28s %-34s %-34s\n' "after update-stack as cfn" \
    "$(short "$RENEW_ACTION"), audit ${AUDIT2_ROLE}" "(unchanged)"
echo
if ((FAILURES > 0)); then
    echo "seed-2016: $FAILURES expected outcome(s) did not happen"
    exit 1
fi
echo "seed-2016: every expected outcome happened"
