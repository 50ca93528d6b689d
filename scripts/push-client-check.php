<?php
// Tries the push contract as a team moving onto this service would: through the official PHP
// client watzenare/PushApi_Client (its CurlRequestManager, its own X-App-Auth daily token),
// calling every client method that maps to a route of the push contract.
// Prints one line per method, `ok` or `FAILED <why>`, then `N passed, M failed`; exits 1 when
// anything failed. Run through scripts/push-client-check.sh, which starts the local API and
// sets:
//   PUSH_CLIENT_DIR   a checkout of watzenare/PushApi_Client (never part of this project)
//   PUSH_API_URL      the client's base URL, with the trailing "/" it appends paths to
//   PUSH_API_PORT     the port the client passes to cURL
//   PUSH_APP_ID, PUSH_APP_NAME, PUSH_APP_SECRET   an app from `userctl app create NAME`

error_reporting(E_ALL);

function env_required($name)
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        fwrite(STDERR, "push-client-check.php: $name is not set\n");
        exit(2);
    }
    return $value;
}

$clientDir = rtrim(env_required('PUSH_CLIENT_DIR'), '/');
$baseUrl = env_required('PUSH_API_URL');
$port = (int) env_required('PUSH_API_PORT');
$appId = env_required('PUSH_APP_ID');
$appName = env_required('PUSH_APP_NAME');
$appSecret = env_required('PUSH_APP_SECRET');

// The client's composer.json autoloads RequestManagers\ (PSR-4) and PushApi_Client.php
// (classmap); the cURL request manager needs nothing else (Guzzle is only for the Guzzle one).
spl_autoload_register(function ($class) use ($clientDir) {
    $prefix = 'RequestManagers\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        $file = $clientDir . '/RequestManagers/' . substr($class, strlen($prefix)) . '.php';
        if (is_file($file)) {
            require $file;
        }
    } elseif ($class === 'PushApi_Client') {
        require $clientDir . '/PushApi_Client.php';
    }
});

use RequestManagers\CurlRequestManager;

// The client reads the failure reason as $headers["X-Status-Reason"], a case-sensitive PHP
// array key: under any other spelling PHP warns and the reason is lost. The warnings are
// silenced here; the failure line says how the service spelled the header.
set_error_handler(function ($errno, $errstr) {
    return true;
});

/**
 * The client's cURL request manager, unchanged, that also keeps the last raw answer so that a
 * failure line can show what the service sent (the client itself keeps only status and reason).
 */
class ObservedCurlRequestManager extends CurlRequestManager
{
    public static $lastStatus = null;
    public static $lastHead = '';
    public static $lastBody = '';

    public function parseCurlResponse($curlResponse, $curlHeaders)
    {
        self::$lastStatus = $curlHeaders['http_code'];
        self::$lastHead = substr($curlResponse, 0, $curlHeaders['header_size']);
        self::$lastBody = trim(substr($curlResponse, $curlHeaders['header_size']));
        return parent::parseCurlResponse($curlResponse, $curlHeaders);
    }
}

/** How the service spelled its reason header in the last answer, and the body. */
function last_answer()
{
    $sent = 'no X-Status-Reason header';
    if (preg_match('/^(x-status-reason):\s*(.*?)\s*$/mi', ObservedCurlRequestManager::$lastHead, $m)) {
        $sent = $m[1] === 'X-Status-Reason'
            ? "X-Status-Reason: {$m[2]}"
            : "reason sent as \"{$m[1]}: {$m[2]}\", the client reads only \"X-Status-Reason\"";
    }
    return $sent . '; body ' . ObservedCurlRequestManager::$lastBody;
}

$requestManager = new ObservedCurlRequestManager($baseUrl, $port);
$client = new PushApi_Client($appId, $appName, $appSecret, $requestManager);

$passed = 0;
$failed = 0;
$suffix = substr(md5(uniqid('', true)), 0, 8);

/**
 * Calls one client method. $check gets the decoded answer and returns null when it is what the
 * client's user expects, else a reason. $note is appended to a failure (a placeholder id).
 * Returns the answer, or null when the call failed.
 */
function attempt($label, callable $call, callable $check = null, $note = '')
{
    global $passed, $failed;
    ObservedCurlRequestManager::$lastHead = '';
    $why = null;
    $answer = null;
    try {
        $answer = $call();
        if (!is_array($answer) || !array_key_exists('result', $answer)) {
            $why = '200 but the body is not {"result": ...}: ' . json_encode($answer);
        } elseif ($check !== null) {
            $why = $check($answer);
        }
    } catch (Throwable $e) {
        $reason = $e->getMessage();
        $why = $e->getCode() . ' ' . ($reason === '' ? '(the client read no reason)' : "\"$reason\"");
        if ($e->getCode() >= 400) {
            $why .= ' [' . last_answer() . ']';
        }
    }
    if ($why === null) {
        $passed++;
        printf("%-34s ok\n", $label);
        return $answer;
    }
    $failed++;
    printf("%-34s FAILED %s%s\n", $label, $why, $note === '' ? '' : " ($note)");
    return null;
}

/** The id of the result, or a placeholder and a note saying which call did not give one. */
function id_of($answer, $from, &$note)
{
    if (is_array($answer) && isset($answer['result']['id'])) {
        return $answer['result']['id'];
    }
    $note = "placeholder id 999999: $from failed";
    return 999999;
}

function expect($cond, $why)
{
    return $cond ? null : $why;
}

// ---- users -------------------------------------------------------------------------------
$email = "client-$suffix@example.com";
$user = attempt('createUser', function () use ($client, $email) {
    return $client->createUser(['email' => $email]);
}, function ($a) use ($email) {
    return expect(isset($a['result']['id']) && in_array($email, (array) ($a['result']['email'] ?? []), true),
        'no id or e-mail in ' . json_encode($a['result']));
});
$userNote = '';
$idUser = id_of($user, 'createUser', $userNote);

attempt('getUser', function () use ($client, $idUser) {
    return $client->getUser($idUser);
}, function ($a) use ($idUser) {
    return expect(($a['result']['id'] ?? null) == $idUser, 'another user: ' . json_encode($a['result']));
}, $userNote);

// A failure as the client's user sees it: the status as the exception's code and the
// service's X-Status-Reason as its message.
attempt('getUser (unknown id: 404 + reason)', function () use ($client) {
    try {
        $client->getUser(987654321);
    } catch (Exception $e) {
        if ($e->getCode() == 404 && $e->getMessage() === 'User not found') {
            return ['result' => true];
        }
        throw $e;
    }
    throw new Exception('200 for an unknown user', 200);
});

attempt('getUsers', function () use ($client) {
    return $client->getUsers(['limit' => 10, 'page' => 1]);
}, function ($a) {
    return expect(is_array($a['result']), 'result is not a list: ' . json_encode($a['result']));
});

// The original reads `emails` as a JSON array held in a form value (UserController::setUsers).
$bulk = ["client-$suffix-b@example.com", "client-$suffix-c@example.com"];
$created = attempt('createUsers', function () use ($client, $bulk) {
    return $client->createUsers(['emails' => json_encode($bulk)]);
}, function ($a) {
    return expect(is_array($a['result']) && count($a['result']) === 2,
        'expected 2 users created: ' . json_encode($a));
});

// ---- devices -----------------------------------------------------------------------------
$android = "android-$suffix";
$ios = "ios-$suffix";
attempt('addUserDevice', function () use ($client, $idUser, $android, $ios) {
    return $client->addUserDevice($idUser, ['android' => $android, 'ios' => $ios]);
}, null, $userNote);

$byRef = attempt('getUserDeviceByReference', function () use ($client, $idUser, $ios) {
    return $client->getUserDeviceByReference($idUser, ['reference' => $ios]);
}, function ($a) use ($ios) {
    return expect(($a['result']['reference'] ?? null) === $ios, 'not the device: ' . json_encode($a['result']));
}, $userNote);
$deviceNote = '';
$idDevice = id_of($byRef, 'getUserDeviceByReference', $deviceNote);

attempt('getUserDevice', function () use ($client, $idUser, $idDevice) {
    return $client->getUserDevice($idUser, $idDevice);
}, function ($a) use ($ios) {
    return expect(($a['result']['reference'] ?? null) === $ios, 'not the device: ' . json_encode($a['result']));
}, trim("$userNote $deviceNote"));

attempt('getUserSmartphones', function () use ($client, $idUser) {
    return $client->getUserSmartphones($idUser);
}, function ($a) {
    return expect(is_array($a['result']) && count($a['result']) === 2,
        'expected Android and iOs: ' . json_encode($a['result']));
}, $userNote);

attempt('deleteUserDevice', function () use ($client, $idUser, $idDevice) {
    return $client->deleteUserDevice($idUser, $idDevice);
}, null, trim("$userNote $deviceNote"));

attempt('deleteUserDevicesByType', function () use ($client, $idUser) {
    return $client->deleteUserDevicesByType($idUser, 'android');
}, null, $userNote);

// ---- channels ----------------------------------------------------------------------------
$channelName = "channel-$suffix";
$channel = attempt('createChannel', function () use ($client, $channelName) {
    return $client->createChannel(['name' => $channelName]);
}, function ($a) {
    return expect(isset($a['result']['id']), 'no id: ' . json_encode($a['result']));
});
$channelNote = '';
$idChannel = id_of($channel, 'createChannel', $channelNote);

attempt('getChannel', function () use ($client, $idChannel) {
    return $client->getChannel($idChannel);
}, null, $channelNote);

$channelName2 = "channel-$suffix-renamed";
attempt('updateChannel', function () use ($client, $idChannel, $channelName2) {
    return $client->updateChannel($idChannel, ['name' => $channelName2]);
}, null, $channelNote);

attempt('getChannels', function () use ($client) {
    return $client->getChannels(['limit' => 10, 'page' => 1]);
});

// The client sends this as channel_name?name=X?name=X (it appends the query twice).
attempt('getChannelByName', function () use ($client, $channelName2) {
    return $client->getChannelByName(['name' => $channelName2]);
}, null, $channelNote);

// ---- themes ------------------------------------------------------------------------------
$themeName = "theme-$suffix";
$theme = attempt('createTheme', function () use ($client, $themeName) {
    return $client->createTheme(['name' => $themeName, 'range' => 'unicast']);
}, function ($a) {
    return expect(isset($a['result']['id']), 'no id: ' . json_encode($a['result']));
});
$themeNote = '';
$idTheme = id_of($theme, 'createTheme', $themeNote);

attempt('getTheme', function () use ($client, $idTheme) {
    return $client->getTheme($idTheme);
}, null, $themeNote);

$themeName2 = "theme-$suffix-renamed";
attempt('updateTheme', function () use ($client, $idTheme, $themeName2) {
    return $client->updateTheme($idTheme, ['name' => $themeName2, 'range' => 'multicast']);
}, null, $themeNote);

attempt('getThemes', function () use ($client) {
    return $client->getThemes(['limit' => 10, 'page' => 1]);
});

attempt('getThemesByRange', function () use ($client) {
    return $client->getThemesByRange('multicast', ['limit' => 10, 'page' => 1]);
});

attempt('getThemeByName', function () use ($client, $themeName2) {
    return $client->getThemeByName(['name' => $themeName2]);
}, null, $themeNote);

// ---- subscriptions -----------------------------------------------------------------------
$subNote = trim("$userNote $channelNote");
attempt('createUserSubscription', function () use ($client, $idUser, $idChannel) {
    return $client->createUserSubscription($idUser, $idChannel);
}, null, $subNote);

attempt('getUserSubscription', function () use ($client, $idUser, $idChannel) {
    return $client->getUserSubscription($idUser, $idChannel);
}, null, $subNote);

attempt('getUserSubscriptions', function () use ($client, $idUser) {
    return $client->getUserSubscriptions($idUser);
}, null, $userNote);

attempt('deleteUserSubscription', function () use ($client, $idUser, $idChannel) {
    return $client->deleteUserSubscription($idUser, $idChannel);
}, null, $subNote);

// ---- preferences -------------------------------------------------------------------------
$prefNote = trim("$userNote $themeNote");
attempt('createUserPreference', function () use ($client, $idUser, $idTheme) {
    return $client->createUserPreference($idUser, $idTheme, ['option' => 2]);
}, null, $prefNote);

attempt('getUserPreference', function () use ($client, $idUser, $idTheme) {
    return $client->getUserPreference($idUser, $idTheme);
}, null, $prefNote);

attempt('updateUserPreference', function () use ($client, $idUser, $idTheme) {
    return $client->updateUserPreference($idUser, $idTheme, ['option' => 3]);
}, null, $prefNote);

// A multicast send to the channel the user is subscribed to, by the theme's and channel's names.
attempt('sendNotification', function () use ($client, $themeName2, $channelName2) {
    return $client->sendNotification([
        'theme' => $themeName2,
        'channel' => $channelName2,
        'message' => 'Hello from the PHP client',
        'subject' => 'Client check',
    ]);
}, function ($a) {
    return expect($a['result'] === true, 'expected true: ' . json_encode($a['result']));
}, $prefNote);

attempt('getUserPreferences', function () use ($client, $idUser) {
    return $client->getUserPreferences($idUser);
}, null, $userNote);

attempt('updateAllUserPreferences', function () use ($client, $idUser) {
    return $client->updateAllUserPreferences($idUser, ['option' => 1]);
}, null, $userNote);

attempt('deleteUserPreference', function () use ($client, $idUser, $idTheme) {
    return $client->deleteUserPreference($idUser, $idTheme);
}, null, $prefNote);

// ---- clean-up calls, themselves client methods -------------------------------------------
attempt('deleteChannel', function () use ($client, $idChannel) {
    return $client->deleteChannel($idChannel);
}, null, $channelNote);

attempt('deleteTheme', function () use ($client, $idTheme) {
    return $client->deleteTheme($idTheme);
}, null, $themeNote);

attempt('deleteUser', function () use ($client, $idUser) {
    return $client->deleteUser($idUser);
}, function ($a) {
    return expect($a['result'] === true, 'expected true: ' . json_encode($a['result']));
}, $userNote);

echo "not tried (no route in the push contract): getApp, updateApp, getSubject, createSubject, "
    . "updateSubject, deleteSubject, getSubjects\n";
echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
