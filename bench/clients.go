package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/internal/stack/connstore"
)

// connectionsTable is the physical table name the local host gives ConnectionsTable.
const connectionsTable = "ConnectionsTable"

// mintToken returns a development token for user, valid for the whole run.
func mintToken(user string) (string, error) {
	return auth.SignDevToken([]byte(benchSecret), auth.DevToken{UserID: user, TTL: 2 * time.Hour})
}

// dialUser opens one WebSocket as user, with a pre-minted token, through $connect.
func dialUser(ctx context.Context, wsURL, token string) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, wsURL+"?token="+url.QueryEscape(token), nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	c.SetReadLimit(1 << 20)
	return c, nil
}

// awsConfig points SDK clients at the local host with static credentials and a connection
// pool large enough that concurrent callers do not churn loopback sockets.
func awsConfig() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}},
	}
}

func lambdaClient(endpoint string) *lambda.Client {
	return lambda.NewFromConfig(awsConfig(), func(o *lambda.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// connectionStore reads the mappings $connect wrote, to learn connection ids as emit does.
func connectionStore(dynamoEP string) *connstore.Store {
	db := dynamodb.NewFromConfig(awsConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(dynamoEP) })
	return connstore.New(db, connectionsTable, connstore.Options{})
}

// liveIDs returns the connection ids of user.
func liveIDs(ctx context.Context, store *connstore.Store, user string) ([]string, error) {
	conns, err := store.Live(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("query connections of %s: %w", user, err)
	}
	ids := make([]string, len(conns))
	for i, c := range conns {
		ids[i] = c.ConnectionID
	}
	return ids, nil
}
