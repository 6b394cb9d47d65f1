package dynamotest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
	"github.com/agentbridge/agentbridge/internal/local/samtemplate"
)

// Server is a running DynamoDB-compatible server shared by the tests of one test binary.
type Server struct {
	// Endpoint is its URL, e.g. http://127.0.0.1:40123.
	Endpoint string
	// Kind is dynalite or moto.
	Kind dynamoserver.Kind
}

var (
	sharedOnce sync.Once
	shared     *Server
	sharedErr  error
	tableSeq   atomic.Int64
)

// Shared returns the test binary's server, started on first use. It dies with the process.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	sharedOnce.Do(func() {
		kind := dynamoserver.Dynalite
		if os.Getenv("AGENTBRIDGE_DYNAMODB") == "moto" {
			kind = dynamoserver.Moto
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s, err := dynamoserver.Start(ctx, dynamoserver.Options{Kind: kind, ModuleRoot: ModuleRoot()})
		if err != nil {
			sharedErr = err
			return
		}
		shared = &Server{Endpoint: s.Endpoint, Kind: s.Kind}
	})
	if sharedErr != nil {
		if os.Getenv("AGENTBRIDGE_REQUIRE_INTEGRATION") == "1" {
			tb.Fatalf("DynamoDB-compatible server required but unavailable: %v", sharedErr)
		}
		tb.Skipf("DynamoDB-compatible server unavailable (run `npm ci`): %v", sharedErr)
	}
	return shared
}

// ModuleRoot is the repository root, where node_modules and template.yaml live.
func ModuleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// AWSConfig returns an SDK config pointing DynamoDB at the server, with test credentials.
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.Endpoint),
	}
}

// Client returns a DynamoDB client for the server.
func (s *Server) Client() *dynamodb.Client { return dynamodb.NewFromConfig(s.AWSConfig()) }

// ConnectionsTable creates a fresh copy of template.yaml's connections table, exactly as the
// template defines it, under a unique name, and deletes it when the test ends.
func (s *Server) ConnectionsTable(tb testing.TB) string {
	tb.Helper()
	return s.Table(tb, "ConnectionsTable")
}

// StreamTable creates a fresh copy of template.yaml's event stream table, as ConnectionsTable.
func (s *Server) StreamTable(tb testing.TB) string {
	tb.Helper()
	return s.Table(tb, "StreamTable")
}

// Table creates a fresh copy of the template.yaml table with logicalID, exactly as the template
// defines it (indexes included), under a unique name, and deletes it when the test ends.
func (s *Server) Table(tb testing.TB, logicalID string) string {
	tb.Helper()
	tmpl, err := samtemplate.Load(filepath.Join(ModuleRoot(), "template.yaml"), samtemplate.Options{
		Overrides: map[string]string{"DevHmacSecret": "test"},
	})
	if err != nil {
		tb.Fatalf("load template: %v", err)
	}
	var found *samtemplate.Table
	for _, t := range tmpl.Tables {
		if t.LogicalID == logicalID {
			found = t
		}
	}
	if found == nil {
		tb.Fatalf("template has no table %s", logicalID)
	}
	table := *found
	table.Name = fmt.Sprintf("%s-%d-%d", strings.ToLower(logicalID), time.Now().UnixNano(), tableSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := s.Client()
	if _, err := dynamoserver.EnsureTables(ctx, db, []*samtemplate.Table{&table}); err != nil {
		tb.Fatalf("create table: %v", err)
	}
	tb.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &table.Name})
	})
	return table.Name
}
