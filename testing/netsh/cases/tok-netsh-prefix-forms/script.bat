netsh ipsec static add policy name=P1
netsh.exe ipsec static add filterlist name=L1
C:\Windows\System32\netsh.exe ipsec static add filteraction name=A1 action=block
@netsh ipsec static add filter filterlist=L1 srcaddr=me dstaddr=10.1.1.1
NETSH IPSEC STATIC ADD RULE NAME=R1 POLICY=P1 FILTERLIST=L1 FILTERACTION=A1
netsh ipsec static set policy name=P1 assign=yes
