package dynamoserver_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
	"github.com/agentbridge/agentbridge/internal/local/samtemplate"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
)

func TestEnsureTablesCreatesTemplateTablesOnce(t *testing.T) {
	t.Parallel()
	srv := dynamotest.Shared(t)
	tmpl, err := samtemplate.Load(filepath.Join(dynamotest.ModuleRoot(), "template.yaml"), samtemplate.Options{Overrides: map[string]string{"DevHmacSecret": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	table := *tmpl.Tables[0]
	table.Name = fmt.Sprintf("ensure-%d", time.Now().UnixNano())
	db := srv.Client()
	ctx := t.Context()
	t.Cleanup(func() { // t.Context is cancelled by now
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &table.Name})
	})

	for i, want := range []int{1, 0} {
		created, err := dynamoserver.EnsureTables(ctx, db, []*samtemplate.Table{&table})
		if err != nil || len(created) != want {
			t.Fatalf("run %d created %v (%v), want %d tables", i+1, created, err, want)
		}
	}
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table.Name})
	if err != nil {
		t.Fatal(err)
	}
	d := out.Table
	if len(d.KeySchema) != 2 || *d.KeySchema[0].AttributeName != "userId" || *d.KeySchema[1].AttributeName != "connectionId" {
		t.Errorf("key schema = %+v", d.KeySchema)
	}
	if len(d.GlobalSecondaryIndexes) != 1 || *d.GlobalSecondaryIndexes[0].IndexName != "connectionId-index" ||
		d.GlobalSecondaryIndexes[0].Projection.ProjectionType != "KEYS_ONLY" {
		t.Errorf("indexes = %+v", d.GlobalSecondaryIndexes)
	}
}

func TestStartReportsMissingDynalite(t *testing.T) {
	t.Parallel()
	_, err := dynamoserver.Start(t.Context(), dynamoserver.Options{ModuleRoot: t.TempDir()})
	if err == nil {
		t.Fatal("started without dynalite installed")
	}
}

// TestEnsureTablesCreatesTheStreamTablesLocalIndexes: the template's stream table comes out with
// both local secondary indexes and their projections, so replay and resume can query them.
func TestEnsureTablesCreatesTheStreamTablesLocalIndexes(t *testing.T) {
	srv := dynamotest.Shared(t)
	name := srv.StreamTable(t)
	out, err := srv.Client().DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: &name})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, ix := range out.Table.LocalSecondaryIndexes {
		if len(ix.KeySchema) != 2 || *ix.KeySchema[0].AttributeName != "userId" || ix.Projection.ProjectionType != "INCLUDE" {
			t.Errorf("index %s: keys %+v projection %+v", *ix.IndexName, ix.KeySchema, ix.Projection)
			continue
		}
		got[*ix.IndexName] = *ix.KeySchema[1].AttributeName
	}
	if got["offset-index"] != "offset" || got["run-index"] != "runKey" || len(got) != 2 {
		t.Errorf("local indexes = %v, want offset-index on offset and run-index on runKey", got)
	}
}
