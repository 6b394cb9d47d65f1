package samtemplate

import (
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"
)

func TestChatTemplateModel(t *testing.T) {
	const apiID = "abcdefghij"
	tmpl, err := Load(filepath.Join("testdata", "chat.yaml"), Options{APIID: apiID})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	common := func(id, name, code, build string, timeout time.Duration, env map[string]string) *Function {
		env["TABLE_NAME"] = "local-connections"
		if _, ok := env["LOG_LEVEL"]; !ok {
			env["LOG_LEVEL"] = "info"
		}
		return &Function{
			LogicalID: id, Name: name, CodeURI: filepath.Join(dir, code),
			Handler: "bootstrap", Runtime: "provided.al2023", Architectures: []string{"arm64"},
			Timeout: timeout, MemoryMB: 256, Environment: env, BuildMethod: build, LogFormat: "JSON",
		}
	}
	wantFunctions := map[string]*Function{
		"ConnectFunction": common("ConnectFunction", "ConnectFunction", "functions/connect", "makefile", 10*time.Second,
			map[string]string{"JWT_SECRET": "dev-only-secret"}),
		"DisconnectFunction": common("DisconnectFunction", "local-disconnect", "functions/disconnect", "go1.x", 5*time.Second,
			map[string]string{}),
		"SendMessageFunction": common("SendMessageFunction", "SendMessageFunction", "functions/send", "makefile", 10*time.Second,
			map[string]string{
				"ENDPOINT":  "https://abcdefghij.execute-api.us-east-1.amazonaws.com/dev",
				"WS_URL":    "wss://abcdefghij.execute-api.us-east-1.amazonaws.com",
				"LOG_LEVEL": "debug",
			}),
		"DefaultFunction":    common("DefaultFunction", "DefaultFunction", "functions/default", "", 10*time.Second, map[string]string{}),
		"AuthorizerFunction": common("AuthorizerFunction", "AuthorizerFunction", "functions/authorizer", "makefile", 10*time.Second, map[string]string{}),
	}
	for id, want := range wantFunctions {
		if got := tmpl.Functions[id]; !reflect.DeepEqual(got, want) {
			t.Errorf("function %s\n got %+v\nwant %+v", id, got, want)
		}
	}
	if len(tmpl.Functions) != len(wantFunctions) {
		t.Errorf("%d functions, want %d", len(tmpl.Functions), len(wantFunctions))
	}

	authorizer := &Authorizer{LogicalID: "TokenAuthorizer", Function: "AuthorizerFunction",
		IdentitySources: []string{"route.request.querystring.token"}}
	wantAPI := &WebSocketAPI{
		LogicalID: "ChatApi", Name: "local-chat", ID: apiID,
		Endpoint:                 "wss://abcdefghij.execute-api.us-east-1.amazonaws.com",
		RouteSelectionExpression: "$request.body.action",
		Stage:                    &Stage{LogicalID: "ChatStage", Name: "dev", AutoDeploy: true},
		Routes: map[string]*Route{
			"$connect": {LogicalID: "ConnectRoute", Key: "$connect", Function: "ConnectFunction",
				AuthorizationType: "CUSTOM", Authorizer: authorizer},
			"$disconnect": {LogicalID: "DisconnectRoute", Key: "$disconnect", Function: "DisconnectFunction", AuthorizationType: "NONE"},
			"sendmessage": {LogicalID: "SendMessageRoute", Key: "sendmessage", Function: "SendMessageFunction",
				ReturnResponse: true, AuthorizationType: "NONE"},
			"$default": {LogicalID: "DefaultRoute", Key: "$default", Function: "DefaultFunction", AuthorizationType: "NONE"},
		},
	}
	if len(tmpl.WebSocketAPIs) != 1 || !reflect.DeepEqual(tmpl.WebSocketAPIs[0], wantAPI) {
		t.Errorf("WebSocketAPIs = %+v\nwant [%+v]", tmpl.WebSocketAPIs, wantAPI)
	}

	wantTable := &Table{
		LogicalID: "ConnectionsTable", Name: "local-connections",
		KeySchema:  []KeyElement{{"connectionId", "HASH"}},
		Attributes: []AttributeDefinition{{"connectionId", "S"}, {"userId", "S"}},
		GlobalSecondaryIndexes: []Index{{Name: "byUser", KeySchema: []KeyElement{{"userId", "HASH"}},
			ProjectionType: "INCLUDE", NonKeyAttributes: []string{"connectedAt"}}},
		TTLAttribute: "expiresAt", BillingMode: "PAY_PER_REQUEST",
	}
	if len(tmpl.Tables) != 1 || !reflect.DeepEqual(tmpl.Tables[0], wantTable) {
		t.Errorf("Tables = %+v\nwant [%+v]", tmpl.Tables, wantTable)
	}
	if !tmpl.Parameters["JwtSecret"].NoEcho || tmpl.Parameters["Stage"].Value != "dev" {
		t.Errorf("Parameters = %v", tmpl.Parameters)
	}
	if len(tmpl.Warnings) != 0 {
		t.Errorf("Warnings = %v", tmpl.Warnings)
	}
}

func TestChatTemplateProdOverrides(t *testing.T) {
	overrides, err := ParseParameterOverrides([]string{"Stage=prod"})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := Load(filepath.Join("testdata", "chat.yaml"), Options{Overrides: overrides, StackName: "chat", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	send := tmpl.Functions["SendMessageFunction"]
	if send.MemoryMB != 1024 || send.ReservedConcurrency != 50 {
		t.Errorf("memory %d, reserved %d; want 1024, 50", send.MemoryMB, send.ReservedConcurrency)
	}
	api := tmpl.WebSocketAPIs[0]
	if api.Stage.Name != "prod" || api.Name != "chat-chat" || tmpl.Tables[0].Name != "chat-connections" {
		t.Errorf("stage %q api %q table %q", api.Stage.Name, api.Name, tmpl.Tables[0].Name)
	}
	wantEndpoint := "https://" + api.ID + ".execute-api.eu-west-1.amazonaws.com/prod"
	if got := send.Environment["ENDPOINT"]; got != wantEndpoint {
		t.Errorf("ENDPOINT = %q, want %q", got, wantEndpoint)
	}
}

func TestDerivedAPIIDIsStable(t *testing.T) {
	load := func() string {
		tmpl, err := Load(filepath.Join("testdata", "chat.yaml"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return tmpl.WebSocketAPIs[0].ID
	}
	first := load()
	if !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(first) {
		t.Fatalf("derived id %q is not 10 lowercase alphanumerics", first)
	}
	if again := load(); again != first {
		t.Fatalf("derived id changed: %q then %q", first, again)
	}
}
