package devhost

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// credentialsEnv are the credentials functions and the host's own clients use: the caller's
// when set (LocalStack and moto accept any), else fixed local ones, never real ones invented.
func credentialsEnv() map[string]string {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
	if id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = id, secret
		if tok := os.Getenv("AWS_SESSION_TOKEN"); tok != "" {
			env["AWS_SESSION_TOKEN"] = tok
		}
	}
	return env
}

func (h *Host) awsConfig() aws.Config {
	env := credentialsEnv()
	return aws.Config{
		Region:      h.opts.Region,
		Credentials: credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]),
	}
}
