; Inno Setup script: a Windows installer around the folder that `python installer/build.py`
; makes on Windows (dist\cashier-desk\).  Build on a Windows machine with Inno Setup 6:
;     python installer\build.py
;     iscc installer\cashier-desk.iss
; It installs the program for all users under Program Files, adds a Start-menu shortcut to the
; window, and leaves each counter's data folder (%LOCALAPPDATA%\cashier-desk) alone on
; uninstall: the ledger is the city's record.  Not buildable on the project's CI machines
; (Linux); see the README.

#define AppName "Cashier Desk"
#define AppVersion GetEnv("CASHIER_DESK_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F0B7E4C-2B1D-4C39-9F0A-1C6D2E8A5B31}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=cashier_desk contributors
DefaultDirName={autopf}\Cashier Desk
DefaultGroupName=Cashier Desk
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=cashier-desk-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
UninstallDisplayIcon={app}\cashier-desk.exe

[Files]
Source: "..\dist\cashier-desk\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Cashier Desk"; Filename: "{app}\cashier-desk.exe"
Name: "{group}\Cashier Desk demo day"; Filename: "{app}\cashier-desk.exe"; Parameters: "demo"

[Run]
Filename: "{app}\cashier-desk.exe"; Parameters: "--version"; Flags: runhidden
Filename: "{app}\cashier-desk.exe"; Description: "Open the counter's window"; Flags: nowait postinstall skipifsilent
