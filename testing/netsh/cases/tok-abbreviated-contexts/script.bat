netsh i p a v4tov4 listenport=8081 connectaddress=10.1.2.3 connectport=443
netsh int po ad v4tov4 listenport=8082 connectaddress=10.1.2.3
netsh interface portproxy add v listenport=8083 connectaddress=10.1.2.3
netsh int portproxy add v4tov4 8084 10.1.2.4 443 0.0.0.0
