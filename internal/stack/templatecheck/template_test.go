package templatecheck_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/agentbridge/agentbridge/internal/stack/metrics"
	"github.com/agentbridge/agentbridge/internal/stack/templatecheck"
)

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

type cfnTemplate struct {
	Parameters map[string]map[string]any
	Rules      map[string]cfnRule
	Resources  map[string]cfnResource
	Outputs    map[string]map[string]any
}

type cfnRule struct {
	RuleCondition any
	Assertions    []struct{ Assert any }
}

type cfnResource struct {
	Type           string
	Condition      string
	DeletionPolicy string
	Properties     map[string]any
}

var (
	transformOnce sync.Once
	transformed   cfnTemplate
	transformErr  error
)

// transformedTemplate is template.yaml after the SAM transform, computed once per test binary.
func transformedTemplate(t *testing.T) cfnTemplate {
	t.Helper()
	transformOnce.Do(func() {
		root := moduleRoot(t)
		cmd := exec.Command("python3", "transform.py", filepath.Join(root, "template.yaml"))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			transformErr = fmt.Errorf("SAM transform: %w\n%s", err, stderr.String())
			return
		}
		transformErr = json.Unmarshal(out, &transformed)
	})
	if transformErr != nil {
		missing := strings.Contains(transformErr.Error(), "ModuleNotFoundError") || errors.Is(transformErr, exec.ErrNotFound)
		if os.Getenv("AGENTBRIDGE_REQUIRE_INTEGRATION") == "" && missing {
			t.Skipf("cfn-lint's SAM translator is not installed (pip install cfn-lint): %v", transformErr)
		}
		t.Fatal(transformErr)
	}
	return transformed
}

// render writes an IAM resource the way grants.go does: GetAtt X.Arn as ${X.Arn}, Sub as its
// string, Ref as ${X}.
func render(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			return fmt.Sprintf("${%v.%v}", ga[0], ga[1])
		}
		if s, ok := v["Fn::Sub"].(string); ok {
			return s
		}
		if r, ok := v["Ref"].(string); ok {
			return "${" + r + "}"
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func list(v any) []any {
	if v == nil {
		return nil
	}
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// roleGrants reads every Allow statement of a role's inline policies as grants.
func roleGrants(t *testing.T, role cfnResource) []templatecheck.Grant {
	t.Helper()
	var out []templatecheck.Grant
	for _, p := range list(role.Properties["Policies"]) {
		doc, _ := p.(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range list(doc["Statement"]) {
			st := s.(map[string]any)
			keys, ok := leadingKeys(st["Condition"])
			if st["Effect"] != "Allow" || st["NotAction"] != nil || st["NotResource"] != nil || !ok {
				t.Errorf("statement %v: only Allow statements, limited at most by dynamodb:LeadingKeys, are expected", st)
				continue
			}
			for _, a := range list(st["Action"]) {
				for _, r := range list(st["Resource"]) {
					out = append(out, templatecheck.Grant{Action: fmt.Sprint(a), Resource: render(r), Keys: keys})
				}
			}
		}
	}
	return out
}

// leadingKeys reads a statement's condition as a Grant's Keys; false for any other condition.
func leadingKeys(cond any) (string, bool) {
	if cond == nil {
		return "", true
	}
	c, _ := cond.(map[string]any)
	if len(c) != 1 {
		return "", false
	}
	for op, v := range c {
		m, _ := v.(map[string]any)
		keys := list(m["dynamodb:LeadingKeys"])
		if len(m) != 1 || len(keys) != 1 {
			return "", false
		}
		switch op {
		case "ForAllValues:StringLike":
			return fmt.Sprint(keys[0]), true
		case "ForAllValues:StringNotLike":
			return "not " + fmt.Sprint(keys[0]), true
		}
	}
	return "", false
}

func grantStrings(gs []templatecheck.Grant) []string {
	var out []string
	for _, g := range gs {
		s := g.Action + " on " + g.Resource
		if g.Keys != "" {
			s += " (keys: " + g.Keys + ")"
		}
		out = append(out, s)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// TestRolesGrantExactlyTheGrants: each function's role, as SAM generates it, grants exactly the
// function's grants and platform grants, on exactly those resources, plus the basic execution
// policy, and nothing else.
func TestRolesGrantExactlyTheGrants(t *testing.T) {
	tmpl := transformedTemplate(t)
	var fns []string
	for id, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Function" {
			fns = append(fns, id)
		}
	}
	if got, want := sorted(fns), sorted(mapKeys(templatecheck.Functions)); !slices.Equal(got, want) {
		t.Fatalf("template functions %v, grants.go knows %v", got, want)
	}
	for _, id := range fns {
		t.Run(id, func(t *testing.T) {
			fn := tmpl.Resources[id]
			roleRef, _ := fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)
			if len(roleRef) != 2 {
				t.Fatalf("Role = %v, want the role SAM generates", fn.Properties["Role"])
			}
			role := tmpl.Resources[fmt.Sprint(roleRef[0])]
			if role.Type != "AWS::IAM::Role" {
				t.Fatalf("role %v is a %q", roleRef[0], role.Type)
			}
			if got := list(role.Properties["ManagedPolicyArns"]); len(got) != 1 || got[0] != templatecheck.BasicExecutionPolicy {
				t.Errorf("managed policies %v, want only %s", got, templatecheck.BasicExecutionPolicy)
			}
			want := append(append([]templatecheck.Grant(nil), templatecheck.Functions[id].Grants...), templatecheck.PlatformGrants[id]...)
			if got, want := grantStrings(roleGrants(t, role)), grantStrings(want); !slices.Equal(got, want) {
				t.Errorf("role grants\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestOperationalPieces: what makes the stack operable survives the transform: an async
// invoke config with bounded retries and age and an encrypted failure queue; an explicit log
// group with retention for each function and the stage; connect's concurrency cap; deletion
// policies on every table; alarms on the metrics the functions write.
func TestOperationalPieces(t *testing.T) {
	tmpl := transformedTemplate(t)
	res := tmpl.Resources

	eic := res["EmitFunctionEventInvokeConfig"]
	if eic.Type != "AWS::Lambda::EventInvokeConfig" {
		t.Fatal("no EventInvokeConfig for EmitFunction")
	}
	if n, _ := eic.Properties["MaximumRetryAttempts"].(float64); n < 0 || n > 2 || eic.Properties["MaximumRetryAttempts"] == nil {
		t.Errorf("MaximumRetryAttempts = %v", eic.Properties["MaximumRetryAttempts"])
	}
	if eic.Properties["MaximumEventAgeInSeconds"] == nil {
		t.Error("no MaximumEventAgeInSeconds")
	}
	dest := eic.Properties["DestinationConfig"].(map[string]any)["OnFailure"].(map[string]any)["Destination"]
	if render(dest) != "${EmitAsyncFailureQueue.Arn}" {
		t.Errorf("on-failure destination %v", dest)
	}
	q := res["EmitAsyncFailureQueue"]
	if q.Properties["SqsManagedSseEnabled"] != true && q.Properties["KmsMasterKeyId"] == nil {
		t.Error("failure queue is not encrypted")
	}
	if q.Properties["MessageRetentionPeriod"] == nil {
		t.Error("failure queue has no retention period")
	}

	for id, r := range res {
		switch r.Type {
		case "AWS::Lambda::Function":
			lg, _ := r.Properties["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string)
			if res[lg].Type != "AWS::Logs::LogGroup" || res[lg].Properties["RetentionInDays"] == nil {
				t.Errorf("%s logs to %q, want an explicit log group with a retention", id, lg)
			}
		case "AWS::ApiGatewayV2::Stage":
			als, _ := r.Properties["AccessLogSettings"].(map[string]any)
			lg, _ := als["DestinationArn"].(map[string]any)["Fn::GetAtt"].([]any)
			if len(lg) != 2 || res[fmt.Sprint(lg[0])].Properties["RetentionInDays"] == nil || als["Format"] == nil {
				t.Errorf("stage %s access log %v, want a log group with a retention and a format", id, als)
			}
		case "AWS::DynamoDB::Table":
			if r.DeletionPolicy == "" {
				t.Errorf("table %s has no explicit DeletionPolicy", id)
			}
		}
	}
	if res["ConnectFunction"].Properties["ReservedConcurrentExecutions"] == nil {
		t.Error("connect has no reserved concurrency")
	}

	// Alarms on custom metrics name metrics the functions write, in the namespace they write to.
	known := []string{metrics.Delivered, metrics.Failed, metrics.Throttled, metrics.NotAttempted, metrics.ConnectRefused}
	ns := render(tmpl.Outputs["MetricsNamespace"]["Value"])
	if env := render(res["EmitFunction"].Properties["Environment"].(map[string]any)["Variables"].(map[string]any)[metrics.EnvNamespace]); env != ns {
		t.Errorf("emit writes to namespace %q, the output says %q", env, ns)
	}
	alarms := 0
	for id, r := range res {
		if r.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		alarms++
		b, _ := json.Marshal(r.Properties)
		if !strings.Contains(string(b), "AlarmTopicArn") {
			t.Errorf("alarm %s does not notify the AlarmTopicArn topic", id)
		}
		for _, m := range customMetrics(r.Properties) {
			if m.namespace != ns || !slices.Contains(known, m.name) {
				t.Errorf("alarm %s watches %s in %s, which the functions do not write", id, m.name, m.namespace)
			}
		}
	}
	if alarms < 4 {
		t.Errorf("%d alarms, want at least emit errors, failed ratio, throttles and connect refusals", alarms)
	}
}

type metricRef struct{ namespace, name string }

// customMetrics lists the non-AWS metrics an alarm reads, plain or in metric math.
func customMetrics(props map[string]any) []metricRef {
	var out []metricRef
	add := func(ns any, name any) {
		if s := render(ns); !strings.HasPrefix(s, "AWS/") {
			out = append(out, metricRef{s, fmt.Sprint(name)})
		}
	}
	if props["Namespace"] != nil {
		add(props["Namespace"], props["MetricName"])
	}
	for _, m := range list(props["Metrics"]) {
		stat, _ := m.(map[string]any)["MetricStat"].(map[string]any)
		if stat == nil {
			continue
		}
		metric := stat["Metric"].(map[string]any)
		add(metric["Namespace"], metric["MetricName"])
	}
	return out
}

// TestOutputs: what a user needs after deploying is in the stack's outputs.
func TestOutputs(t *testing.T) {
	tmpl := transformedTemplate(t)
	for _, o := range []string{"WebSocketUrl", "ManagementEndpoint", "EmitFunctionName", "EmitFunctionArn",
		"ConnectionsTableName", "EmitAsyncFailureQueueUrl", "MetricsNamespace",
		"EmitLogGroupName", "ConnectLogGroupName", "DisconnectLogGroupName", "AccessLogGroupName"} {
		if tmpl.Outputs[o]["Value"] == nil {
			t.Errorf("output %s is missing", o)
		}
	}
	if v := render(tmpl.Outputs["EmitFunctionName"]["Value"]); v != "${EmitFunction}" {
		t.Errorf("EmitFunctionName = %s, want the deployed function's name (Ref EmitFunction)", v)
	}
}

// TestRulesRefuseAJWKSWithoutAudience evaluates the template's rules as CloudFormation does
// before a deploy: a JWKS issuer needs an audience, a client id or the explicit opt-out.
func TestRulesRefuseAJWKSWithoutAudience(t *testing.T) {
	tmpl := transformedTemplate(t)
	jwks := "https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/jwks.json"
	tests := []struct {
		name   string
		params map[string]string
		ok     bool
	}{
		{"JWKS alone", map[string]string{"AuthJwksUrl": jwks}, false},
		{"JWKS and audience", map[string]string{"AuthJwksUrl": jwks, "AuthAudience": "client"}, true},
		{"JWKS and client ids", map[string]string{"AuthJwksUrl": jwks, "AuthClientIds": "a,b"}, true},
		{"JWKS, any audience on purpose", map[string]string{"AuthJwksUrl": jwks, "AuthAllowAnyAudience": "true"}, true},
		{"development secret", map[string]string{"DevHmacSecret": "s"}, true},
		{"nothing", map[string]string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := map[string]string{}
			for name, p := range tmpl.Parameters {
				if d, ok := p["Default"]; ok {
					values[name] = fmt.Sprint(d)
				}
			}
			for k, v := range tt.params {
				values[k] = v
			}
			ok := true
			for name, r := range tmpl.Rules {
				if r.RuleCondition != nil && !evalRule(t, r.RuleCondition, values) {
					continue
				}
				for _, a := range r.Assertions {
					if !evalRule(t, a.Assert, values) {
						t.Logf("rule %s refuses", name)
						ok = false
					}
				}
			}
			if ok != tt.ok {
				t.Errorf("deploy allowed = %v, want %v", ok, tt.ok)
			}
		})
	}
}

// evalRule evaluates the rule functions the template uses: Fn::Or, Fn::And, Fn::Not,
// Fn::Equals over Refs to parameters and literals.
func evalRule(t *testing.T, v any, params map[string]string) bool {
	t.Helper()
	m, _ := v.(map[string]any)
	var args []any
	for fn, a := range m {
		args = list(a)
		switch fn {
		case "Fn::Or":
			for _, x := range args {
				if evalRule(t, x, params) {
					return true
				}
			}
			return false
		case "Fn::And":
			for _, x := range args {
				if !evalRule(t, x, params) {
					return false
				}
			}
			return true
		case "Fn::Not":
			return !evalRule(t, args[0], params)
		case "Fn::Equals":
			return ruleValue(args[0], params) == ruleValue(args[1], params)
		}
		t.Fatalf("rule function %s is not evaluated here", fn)
	}
	t.Fatalf("rule expression %v", v)
	return false
}

func ruleValue(v any, params map[string]string) string {
	if m, ok := v.(map[string]any); ok {
		return params[fmt.Sprint(m["Ref"])]
	}
	return fmt.Sprint(v)
}
