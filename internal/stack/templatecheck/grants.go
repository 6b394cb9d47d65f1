package templatecheck

import "github.com/agentbridge/agentbridge/internal/stack/eventstream"

// Grant is one IAM permission: an action on a resource. Resource is written as the template
// writes it, in Fn::Sub syntax, a Fn::GetAtt X.Arn being ${X.Arn}.
type Grant struct {
	Action   string
	Resource string
	// Keys limits a DynamoDB grant to partition keys matching a pattern (the statement's
	// dynamodb:LeadingKeys condition): "connection *" only those, "not connection *" all but
	// those. Empty: no condition.
	Keys string
}

// ownerKeys are the stream table's owner partitions, which only $connect writes.
const ownerKeys = eventstream.OwnerPartitionPrefix + "*"

// Function is a function of the template: its main package and what its code needs.
type Function struct {
	Main   string // package path relative to the module root
	Grants []Grant
}

// Functions are the template's functions by logical id.
var Functions = map[string]Function{
	"ConnectFunction": {
		Main: "./functions/connect",
		Grants: []Grant{
			{"dynamodb:PutItem", "${ConnectionsTable.Arn}", ""},
			// The connection's owner item, which the stream function reads (owner partitions only).
			{"dynamodb:PutItem", "${StreamTable.Arn}", ownerKeys},
		},
	},
	"DisconnectFunction": {
		Main: "./functions/disconnect",
		Grants: []Grant{
			// The connection id is all $disconnect knows: it finds the user through the index.
			{"dynamodb:Query", "${ConnectionsTable.Arn}/index/connectionId-index", ""},
			{"dynamodb:DeleteItem", "${ConnectionsTable.Arn}", ""},
		},
	},
	"EmitFunction": {
		Main: "./functions/emit",
		Grants: []Grant{
			{"dynamodb:Query", "${ConnectionsTable.Arn}", ""},
			{"dynamodb:DeleteItem", "${ConnectionsTable.Arn}", ""},
			// Store before fan-out: held event ids, offsets reserved, events written (never the
			// owner partitions).
			{"dynamodb:BatchGetItem", "${StreamTable.Arn}", "not " + ownerKeys},
			{"dynamodb:GetItem", "${StreamTable.Arn}", "not " + ownerKeys},
			{"dynamodb:PutItem", "${StreamTable.Arn}", "not " + ownerKeys},
			{"dynamodb:UpdateItem", "${StreamTable.Arn}", "not " + ownerKeys},
			{"execute-api:ManageConnections", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${StageName}/POST/@connections/*", ""},
		},
	},
	"StreamFunction": {
		Main: "./functions/stream",
		Grants: []Grant{
			// The connection's owner, then its user's events through the two local indexes.
			{"dynamodb:GetItem", "${StreamTable.Arn}", ""},
			{"dynamodb:Query", "${StreamTable.Arn}/index/" + eventstream.OffsetIndex, ""},
			{"dynamodb:Query", "${StreamTable.Arn}/index/" + eventstream.RunIndex, ""},
			{"execute-api:ManageConnections", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/${StageName}/POST/@connections/*", ""},
		},
	},
}

// PlatformGrants are role permissions Lambda uses on the function's behalf, not its code.
var PlatformGrants = map[string][]Grant{
	// Lambda sends an asynchronous invoke that failed every retry to the on-failure queue.
	"EmitFunction": {{"sqs:SendMessage", "${EmitAsyncFailureQueue.Arn}", ""}},
}

// BasicExecutionPolicy is the one managed policy each role carries: writing its own logs.
const BasicExecutionPolicy = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// ServiceActions maps an SDK service package to the IAM action of each operation: "" means
// the service prefix and the operation name, anything else names the action for every
// operation.
var ServiceActions = map[string]struct{ Prefix, Action string }{
	"github.com/aws/aws-sdk-go-v2/service/dynamodb":                {Prefix: "dynamodb:"},
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi": {Action: "execute-api:ManageConnections"},
}
