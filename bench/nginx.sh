# Shared by the benchmarks: starts nginx on a free loopback port serving fixtures/chains/good.pem
# (leaf + intermediate, name ok.test) and sets $dir (a scratch directory, removed at exit),
# $port and $pid. Source it from the repository root.
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "needs nginx: apt-get install -y nginx" >&2; exit 2; }
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$dir/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port ssl; server_name ok.test;
    ssl_certificate $PWD/fixtures/chains/good.pem; ssl_certificate_key $PWD/fixtures/chains/good.key;
    return 200 "ok\n";
  }
}
CONF
"$nginx" -p "$dir" -c "$dir/nginx.conf" -e stderr &
pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done

